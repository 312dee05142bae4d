"""The contract's words for what the code names but does not explain at length: what each
setting does for an operator, and what each page is for. The names, defaults and paths
themselves come from the code (tables.py); a setting or page without words here uses the
code's own `description` or `summary`."""

from __future__ import annotations

SETTINGS: dict[str, str] = {
    "KAFKA_BOOTSTRAP_SERVERS": "Kafka brokers, comma-separated; the default is the local broker `make demo` starts",
    "KAFKA_REPLICATION_FACTOR": "replicas of each topic the services create; unset, the cluster's "
                                "`default.replication.factor` and `min.insync.replicas`; set, that many, with "
                                "`min.insync.replicas` 2 (1 below 3 replicas)",
    "DATABASE_URL": "`postgresql://…` or `sqlite:///…` (the driver is ours); each service keeps to its own tables, "
                    "so all four may share one",
    "SMTP_HOST": "the mail server (the notifier's notices, intake's sign-in links)",
    "SMTP_PORT": "the mail server's port",
    "SMTP_USERNAME": "login, when set",
    "SMTP_PASSWORD": "password for the login (never printed)",
    "SMTP_FROM": "the sender of every email",
    "SMTP_TIMEOUT": "seconds each SMTP command may wait; a whole send is bounded by 3 × this, after which the "
                    "attempt counts as failed and is retried",
    "SMTP_CONNECTIONS": "SMTP connections, so sends at once, per notifier; a notifier claims no more deliveries than "
                        "it has free connections",
    "FOLLOWTHROUGH_POLICY_FILE": "YAML escalation policy, per panel (§4); unset, the default policy",
    "FOLLOWTHROUGH_PUBLIC_URL": "base of links in emails and of problem `type` URIs; when it is not loopback every "
                                "service needs a strong `FOLLOWTHROUGH_SECRET_KEY`, and an `https://` URL makes "
                                "cookies `Secure` and adds `Strict-Transport-Security`",
    "FOLLOWTHROUGH_SECRET_KEY": "signs respond links and form tokens, the same value for every service; a service "
                                "others can reach refuses to start unless it is at least 32 characters and not a "
                                "placeholder",
    "FOLLOWTHROUGH_TRUSTED_PROXIES": "reverse proxies (IP addresses or CIDRs, comma-separated); from one of them the "
                                     "client is the rightmost address of `X-Forwarded-For` (or `Forwarded`) that is "
                                     "not a proxy. Every per-client limit counts that client",
    "FOLLOWTHROUGH_PAGE_RATE_LIMIT": "public page requests per client and tracker replica; over it a 429 problem "
                                     "with `Retry-After`",
    "FOLLOWTHROUGH_VERDICT_RATE_LIMIT": "verdicts and reopenings, replies and trust-pulse answers per client, each "
                                        "counted on its own, in the database (all replicas together)",
    "FOLLOWTHROUGH_ACCESS_CODE_ATTEMPTS": "wrong panel access codes one client may try in 15 minutes before it must "
                                          "wait 15 minutes; counted in the database",
    "FOLLOWTHROUGH_INTAKE_PUBLIC_URL": "where facilitators reach intake's pages: sign-in links start with it; "
                                       "`https://` makes its cookies `Secure` and `__Host-`, and must be used when "
                                       "`FOLLOWTHROUGH_PUBLIC_URL` is `https://`",
    "FOLLOWTHROUGH_SIGNIN_RATE_LIMIT": "sign-in requests per client address, and sign-in emails per address and "
                                       "client, per intake replica",
    "FOLLOWTHROUGH_SIGNIN_ADDRESS_LIMIT": "sign-in emails per address from all clients together, per intake "
                                          "replica, so nobody fills an inbox",
    "FOLLOWTHROUGH_REPLY_CONSUMER": "this intake reads `followthrough.replies` (`insist` reopens a decline, "
                                    "`counter` records a pending recommendation); at least one intake must",
    "FOLLOWTHROUGH_LOG_FORMAT": "`auto`: short coloured lines for a terminal, JSON lines otherwise; `json` (set it "
                                "in production); `console`",
    "RESPOND_LINK_DAYS": "days the signed respond link in an email works",
    "FOLLOWTHROUGH_TOPIC_PREFIX": "namespaces every topic and consumer group (`staging.` …)",
    "FOLLOWTHROUGH_OUTBOX_RELAY": "`false`: this process only writes its outbox and another one relays it",
    "FOLLOWTHROUGH_MAX_BODY_BYTES": "the largest request body any route takes; larger is a 413 `body-too-large`, "
                                    "before it is read",
    "FOLLOWTHROUGH_MAX_CSV_BYTES": "the largest CSV intake's import takes",
    "FOLLOWTHROUGH_COMMIT_INTERVAL": "seconds between a consumer's offset commits; after a crash what came since is "
                                     "read again, harmlessly",
    "FOLLOWTHROUGH_AUDIT_INTERVAL": "seconds between auditor passes (tracker: missing notices; notifier: stuck "
                                    "deliveries)",
    "FOLLOWTHROUGH_DIGEST_AT": "London time (`08:00`) of the daily reminder digest; unset sends reminders at once. "
                               "Escalations never wait",
    "FOLLOWTHROUGH_DELIVERY_LEASE_SECONDS": "a delivery claimed longer ago than this is taken to be a crash and sent "
                                            "again (same Message-ID); unset, 1.25 × the longest send (3 × "
                                            "`SMTP_TIMEOUT`), and a shorter value is raised to that",
    "FOLLOWTHROUGH_DELIVERY_MAX_BACKOFF_SECONDS": "the longest wait between retries of one email",
    "FOLLOWTHROUGH_DELIVERY_GIVE_UP_HOURS": "an email still failing after this becomes `notice.failed` (sooner if "
                                            "the ladder's next step falls due first)",
}

PAGES: dict[tuple[str, str], str] = {
    ("GET", "/commitments/{commitment_id}/respond"): "The police lead's respond page, from the signed link in an "
                                                     "email: post an update, mark done, ask for a new date",
    ("POST", "/commitments/{commitment_id}/respond"): "The respond page's form",
    ("GET", "/commitments/{commitment_id}/approve"): "The supervisor's page to approve a deadline past the owner's "
                                                     "limit (signed link)",
    ("POST", "/commitments/{commitment_id}/approve"): "The approval page's form",
    ("GET", "/me"): "A signed-in police lead's whole part (§8.1): what needs them first, then the rest; filters "
                    "`panel`, `status`, `role`, and `page` (25 a page); not signed in, a redirect to `/signin`",
    ("GET", "/me.csv"): "The same rows as `/me` with its filters, every page, as CSV",
    ("GET", "/me/commitments/{commitment_id}"): "One commitment of a signed-in lead's part, with the forms their "
                                                "role allows (owner: update, done, new date, hand over; "
                                                "supervisor: approve or refuse a later date, hand over)",
    ("POST", "/me/commitments/{commitment_id}"): "That page's forms, through the respond and approval pages' "
                                                 "commands; 403 where their role does not allow it",
    ("GET", "/register"): "The public register across panels, with \"how we count\"",
    ("GET", "/register.csv"): "The register as CSV: one row per recommendation police answered or must answer",
    ("GET", "/reports/{period}"): "The scrutiny report for a quarter, month or year (`2026-Q4`, `2026-12`, `2026`; "
                                  "`?panel=`, `?area=`): figures by theme and panel, each with its formula",
    ("GET", "/reports/{period}.csv"): "Every table of the report as one CSV, in sections (`table` first)",
    ("GET", "/reports/{period}.pdf"): "The report as an A4 PDF: contents with page numbers, bookmarks, "
                                      "\"Page N of M\" and \"data as of\" on every page",
    ("GET", "/panels/{slug}"): "The youth panel's page (phone first, no JavaScript)",
    ("POST", "/panels/{slug}/forget-code"): "This device forgets the panel's access code",
    ("POST", "/panels/{slug}/commitments/{commitment_id}/verdict"): "The panel page's confirm/dispute form",
    ("POST", "/panels/{slug}/commitments/{commitment_id}/reopen"): "The panel page's \"still working?\" answer: "
                                                                   "reopen a kept promise",
    ("POST", "/panels/{slug}/pulse"): "The panel page's trust-pulse form",
    ("POST", "/panels/{slug}/recommendations/{recommendation_id}/reply"): "The panel page's reply to a decision",
    ("GET", "/panels/{slug}/session"): "The session pack: one printable page for the panel's next meeting",
    ("GET", "/panels/{slug}/feed.xml"): "The panel's Atom feed",
    ("GET", "/panels/{slug}/deadlines.ics"): "The panel's deadlines as iCalendar",
    ("GET", "/signin"): "Sign in: a one-time link by email (intake), or the force's account when "
                        "`FOLLOWTHROUGH_OIDC_ISSUER` is set (`?force=1` goes to the provider)",
    ("GET", "/signin/callback"): "Back from the force's OpenID provider: every check, then a server-side session",
    ("POST", "/signin"): "Send the link (the same answer whoever asks)",
    ("GET", "/signin/link"): "The link from the email: one \"Sign in\" button (a GET never uses the link up)",
    ("POST", "/signin/link"): "Use the link once and start a session",
    ("POST", "/signout"): "End the session on the server, for good (a copied cookie stops working)",
    ("GET", "/record"): "The panels a signed-in facilitator may record for",
    ("GET", "/panels/{slug}/record"): "Record a session's recommendations and decisions",
    ("POST", "/panels/{slug}/record"): "The record form: all or nothing, errors beside their field",
}
