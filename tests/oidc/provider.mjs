// A real OpenID provider for the portal's sign-in tests: panva's certified oidc-provider with its
// own login and consent pages (any password signs a test account in), one confidential client
// that must use PKCE, and RP-initiated logout. It listens on a free port of 127.0.0.1 and prints
// `issuer: <url>` once it serves; it stops when its standard input closes (the test ended).
//
// oidc-provider 8.8 (pinned): the last line that supports Node.js 20; 9.x asks for Node.js 22.
//
// Settings: OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, OIDC_REDIRECT_URI, OIDC_POST_LOGOUT_REDIRECT_URI.
import { createServer } from "node:http";
import { randomBytes } from "node:crypto";
import Provider from "oidc-provider";

// The test accounts, by login. Council staff carry their marketplace roles in `roles`, as an
// Entra ID app role or a Keycloak client role mapper would put them in the ID token.
const accounts = {
  amira: { name: "Amira Haddad", email: "amira@example.org", email_verified: true },
  newcomer: { name: "Nia Newcomer", email: "nia@example.org", email_verified: true },
  olu: { name: "Olu Adeyemi", email: "olu.adeyemi@lambeth.gov.uk", email_verified: true, roles: ["officer"] },
  eve: { name: "Eve Okafor", email: "eve.okafor@lambeth.gov.uk", email_verified: true, roles: ["evaluator"] },
  unverified: { name: "Una Verified", email: "una@lambeth.gov.uk", email_verified: false, roles: ["officer"] },
  elsewhere: { name: "Ed Elsewhere", email: "ed@unknown-council.gov.uk", email_verified: true, roles: ["officer"] },
};

function required(name) {
  const value = process.env[name];
  if (!value) {
    console.error(`${name} is not set`);
    process.exit(2);
  }
  return value;
}

const client = {
  client_id: required("OIDC_CLIENT_ID"),
  client_secret: required("OIDC_CLIENT_SECRET"),
  redirect_uris: [required("OIDC_REDIRECT_URI")],
  post_logout_redirect_uris: [required("OIDC_POST_LOGOUT_REDIRECT_URI")],
  grant_types: ["authorization_code"],
  response_types: ["code"],
  token_endpoint_auth_method: "client_secret_basic",
};

const server = createServer();
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  clients: [client],
  async findAccount(_ctx, id) {
    const account = accounts[id];
    return account && { accountId: id, claims: async () => ({ sub: id, ...account }) };
  },
  scopes: ["openid", "email", "profile", "roles"],
  claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"], roles: ["roles"] },
  // The claims of the scopes granted ride in the ID token, as most identity providers send them.
  conformIdTokenClaims: false,
  pkce: { required: () => true },
  cookies: { keys: [randomBytes(32).toString("hex")] },
  features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
});
server.on("request", provider.callback());

process.stdin.on("end", () => process.exit(0));
process.stdin.resume();
console.log(`issuer: ${issuer}`);
