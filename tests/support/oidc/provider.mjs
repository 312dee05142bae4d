// A real, OpenID-certified provider (the `oidc-provider` package) for the sign-in tests, on loopback.
//
//   node provider.mjs --accounts accounts.json --client-id ID --client-secret SECRET \
//        --redirect-uri URI [--redirect-uri URI ...] [--port 0]
//
// accounts.json: [{"id": "...", "email": "...", "email_verified": true, "tid": "...", "roles": [...],
// "name": "..."}]. Its first stdout line is the issuer, once it listens. Signing in uses the package's
// own development login page (any password); consent is given by itself (loadExistingGrant), so a test
// signs in with an HTTP client that follows redirects and posts one form.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { parseArgs } from 'node:util';

import Provider from 'oidc-provider';

const { values } = parseArgs({
  options: {
    accounts: { type: 'string' },
    'client-id': { type: 'string' },
    'client-secret': { type: 'string' },
    'redirect-uri': { type: 'string', multiple: true },
    port: { type: 'string', default: '0' },
  },
});

const accounts = new Map(JSON.parse(readFileSync(values.accounts, 'utf8')).map((a) => [a.id, a]));

const server = http.createServer();
server.listen(Number(values.port), '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, {
    clients: [{
      client_id: values['client-id'],
      client_secret: values['client-secret'],
      redirect_uris: values['redirect-uri'],
      response_types: ['code'],
      grant_types: ['authorization_code'],
      token_endpoint_auth_method: 'client_secret_basic',
    }],
    pkce: { required: () => true },
    // The claims go in the ID token itself, as Entra ID puts them (not only in userinfo).
    conformIdTokenClaims: false,
    claims: {
      openid: ['sub', 'tid', 'roles'],
      email: ['email', 'email_verified'],
      profile: ['name', 'preferred_username'],
    },
    scopes: ['openid', 'email', 'profile'],
    async findAccount(ctx, id) {
      const account = accounts.get(id);
      if (!account) return undefined;
      return {
        accountId: id,
        async claims() {
          const claims = { sub: id, email: account.email, tid: account.tid, roles: account.roles ?? [],
            name: account.name, preferred_username: account.preferred_username };
          if (account.email_verified !== undefined) claims.email_verified = account.email_verified;
          return claims;
        },
      };
    },
    async loadExistingGrant(ctx) {
      const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId,
        accountId: ctx.oidc.session.accountId });
      grant.addOIDCScope('openid email profile');
      grant.addOIDCClaims(['tid', 'roles', 'email', 'email_verified', 'name', 'preferred_username']);
      await grant.save();
      return grant;
    },
    features: { devInteractions: { enabled: true } },
  });
  server.on('request', provider.callback());
  process.stdout.write(`${issuer}\n`);
});

for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => server.close(() => process.exit(0)));
