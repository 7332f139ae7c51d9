// A real OpenID Connect provider for the test suite (npm `oidc-provider`), on loopback only.
//
// Any login name and password are accepted (devInteractions). The claims depend on the
// login name, so a test can be a person of a given kind:
//   unverified-*  the provider does not vouch for the email address (email_verified false)
//   tampered-*    the ID token's payload is altered after signing (signature no longer fits)
//   forged-*      the ID token is re-signed with a key that is not the provider's
//   anyone else   email <login>@example.test, verified, name "User <login>"
//
// Environment: OP_PORT, OP_REDIRECT_URIS (comma-separated), OP_CLIENT_ID, OP_CLIENT_SECRET.
import { generateKeyPairSync, sign } from 'node:crypto';
import Provider from 'oidc-provider';

const port = Number(process.env.OP_PORT || 3000);
const issuer = `http://127.0.0.1:${port}`;
const redirectUris = (process.env.OP_REDIRECT_URIS || 'http://localhost:8000/auth/oidc/test/callback').split(',');

function claimsFor(sub) {
  return {
    sub,
    email: `${sub}@example.test`,
    email_verified: !sub.startsWith('unverified-'),
    name: `User ${sub}`,
  };
}

const provider = new Provider(issuer, {
  clients: [{
    client_id: process.env.OP_CLIENT_ID || 'roundtable',
    client_secret: process.env.OP_CLIENT_SECRET || 'roundtable-test-secret',
    redirect_uris: redirectUris,
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  pkce: { required: () => true },
  features: { devInteractions: { enabled: true } },
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  cookies: { keys: ['test-only-cookie-key'] },
  async findAccount(ctx, sub) {
    return { accountId: sub, async claims() { return claimsFor(sub); } };
  },
});

// Test-only misbehaviour: spoil the ID token of tampered-* and forged-* people on its way out.
const foreignKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
const b64 = (value) => Buffer.from(value).toString('base64url');
const decode = (part) => JSON.parse(Buffer.from(part, 'base64url').toString());

function spoil(idToken) {
  const [header, payload, signature] = idToken.split('.');
  const claims = decode(payload);
  if (claims.sub.startsWith('tampered-')) {
    return [header, b64(JSON.stringify({ ...claims, sub: 'someone-else' })), signature].join('.');
  }
  if (claims.sub.startsWith('forged-')) {
    const input = `${header}.${payload}`;  // same header, so the same kid: only the key differs
    return `${input}.${b64(sign('sha256', Buffer.from(input), foreignKey))}`;
  }
  return idToken;
}

provider.use(async (ctx, next) => {
  await next();
  if (ctx.path === '/token' && ctx.body && typeof ctx.body.id_token === 'string') {
    ctx.body = { ...ctx.body, id_token: spoil(ctx.body.id_token) };
  }
});

provider.listen(port, '127.0.0.1', () => {
  console.log(`oidc-provider listening on ${issuer}`);
});
