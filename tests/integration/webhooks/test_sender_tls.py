"""https to a pinned address: the TLS server name (SNI) and the certificate check are the URL's
name, while the connection goes to the address that was checked."""

from __future__ import annotations

import asyncio
import datetime as dt
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from services.webhooks.adapters.sender import HttpSender

NOW = dt.datetime.now(dt.timezone.utc)


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def authority():
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder().subject_name(_name("test CA")).issuer_name(_name("test CA"))
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(NOW - dt.timedelta(hours=1)).not_valid_after(NOW + dt.timedelta(hours=1))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    return key, cert


def leaf(ca_key, ca_cert, *names: str):
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder().subject_name(_name(names[0])).issuer_name(ca_cert.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(NOW - dt.timedelta(hours=1)).not_valid_after(NOW + dt.timedelta(hours=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in names]), critical=False)
            .sign(ca_key, hashes.SHA256()))
    return key, cert


class TlsReceiver:
    """An https server on 127.0.0.1 with a certificate for `names`; records the SNI it was asked for."""

    def __init__(self, tmp_path, ca, *names: str) -> None:
        key, cert = leaf(*ca, *names)
        (tmp_path / "key.pem").write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                                             serialization.PrivateFormat.PKCS8,
                                                             serialization.NoEncryption()))
        (tmp_path / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
        self.server_names: list[str | None] = []
        self.paths: list[str] = []
        context.sni_callback = lambda sock, name, ctx: self.server_names.append(name)
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("content-length") or 0))
                receiver.paths.append((self.path, self.headers["host"]))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def ca():
    return authority()


def trusting(ca_cert) -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.load_verify_locations(cadata=ca_cert.public_bytes(serialization.Encoding.PEM).decode())
    return context


def sender(ca_cert) -> HttpSender:
    return HttpSender(allow_private=True, timeout=5, resolve=lambda host, port: ["127.0.0.1"],
                      verify=trusting(ca_cert))


def test_https_names_the_url_host_while_connecting_to_the_checked_address(tmp_path, ca):
    receiver = TlsReceiver(tmp_path, ca, "receiver.test")
    try:
        answer = asyncio.run(sender(ca[1]).post(f"https://receiver.test:{receiver.port}/hook", b"{}", {}))
        assert (answer.status, answer.error) == (204, None)
        assert receiver.server_names == ["receiver.test"]
        assert receiver.paths == [("/hook", f"receiver.test:{receiver.port}")]
    finally:
        receiver.close()


def test_a_certificate_for_another_name_is_refused(tmp_path, ca):
    receiver = TlsReceiver(tmp_path, ca, "other.test")
    try:
        answer = asyncio.run(sender(ca[1]).post(f"https://receiver.test:{receiver.port}/hook", b"{}", {}))
        assert answer.status is None and "certificate" in answer.error.lower()
        assert receiver.paths == []
    finally:
        receiver.close()

