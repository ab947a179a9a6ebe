// Accounts: the built-in Cognito-compatible pool driven by the AWS SDK, tokens
// refused when forged, and tokens of a real Cognito stand-in (cognito-local)
// accepted when `invoices serve` is pointed at its issuer.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createSign, createHmac } from 'node:crypto';
import { readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import {
  CognitoIdentityProviderClient, SignUpCommand, InitiateAuthCommand, GetUserCommand,
  ChangePasswordCommand, GlobalSignOutCommand, CreateUserPoolCommand, CreateUserPoolClientCommand,
  AdminCreateUserCommand, AdminSetUserPasswordCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { startServer, runCli, tempDir, devImages, repo } from './lib/invoices.mjs';
import { newUser } from './lib/auth.mjs';

const receipt = readFileSync(path.join(devImages, 'X00016469676.jpg'));
const b64url = (x) => Buffer.from(typeof x === 'string' ? x : JSON.stringify(x)).toString('base64url');

function sdk(endpoint) {
  return new CognitoIdentityProviderClient({
    endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
}

async function scanStatus(url, token) {
  const res = await fetch(`${url}/scan`, {
    method: 'POST', body: receipt,
    headers: { 'content-type': 'image/jpeg', ...(token === undefined ? {} : { authorization: `Bearer ${token}` }) },
  });
  return res.status;
}

describe('the built-in user pool', () => {
  let server; let dir; let config; let client;
  before(async () => {
    dir = tempDir();
    server = await startServer(['--store', `file://${dir}`]);
    config = (await (await fetch(`${server.url}/config.json`)).json()).auth;
    client = sdk(`${server.url}/cognito`);
  });
  after(async () => { await server.stop(); });

  test('config.json, JWKS and OpenID discovery describe the pool', async () => {
    assert.equal(config.endpoint, `${server.url}/cognito/`);
    assert.equal(config.issuer, server.url);
    assert.match(config.clientId, /^[a-z0-9]{26}$/);
    const jwks = await (await fetch(`${server.url}/.well-known/jwks.json`)).json();
    assert.equal(jwks.keys.length, 1);
    assert.equal(jwks.keys[0].alg, 'RS256');
    const oidc = await (await fetch(`${server.url}/.well-known/openid-configuration`)).json();
    assert.equal(oidc.issuer, server.url);
    assert.equal(oidc.jwks_uri, `${server.url}/.well-known/jwks.json`);
  });

  test('the AWS SDK signs up, signs in, reads the user, changes the password and signs out', async () => {
    const up = await client.send(new SignUpCommand({
      ClientId: config.clientId, Username: 'sdk-user', Password: 'First-pass-1',
      UserAttributes: [{ Name: 'email', Value: 'sdk@example.com' }],
    }));
    assert.equal(up.UserConfirmed, true);
    assert.match(up.UserSub, /^[0-9a-f-]{36}$/);
    const auth = await client.send(new InitiateAuthCommand({
      ClientId: config.clientId, AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: 'sdk-user', PASSWORD: 'First-pass-1' },
    }));
    const tokens = auth.AuthenticationResult;
    assert.equal(tokens.TokenType, 'Bearer');
    assert.equal(tokens.ExpiresIn, 3600);
    const claims = JSON.parse(Buffer.from(tokens.IdToken.split('.')[1], 'base64url'));
    assert.equal(claims.sub, up.UserSub);
    assert.equal(claims.iss, server.url);
    assert.equal(claims.aud, config.clientId);
    assert.equal(claims.token_use, 'id');
    assert.equal(claims['cognito:username'], 'sdk-user');
    assert.equal(claims.email, 'sdk@example.com');
    // Both the ID and the access token work on the API.
    assert.equal(await scanStatus(server.url, tokens.IdToken), 200);
    assert.equal(await scanStatus(server.url, tokens.AccessToken), 200);

    const me = await client.send(new GetUserCommand({ AccessToken: tokens.AccessToken }));
    assert.equal(me.Username, 'sdk-user');
    assert.ok(me.UserAttributes.some((a) => a.Name === 'sub' && a.Value === up.UserSub));

    const refreshed = await client.send(new InitiateAuthCommand({
      ClientId: config.clientId, AuthFlow: 'REFRESH_TOKEN_AUTH',
      AuthParameters: { REFRESH_TOKEN: tokens.RefreshToken },
    }));
    assert.ok(refreshed.AuthenticationResult.IdToken);

    await client.send(new ChangePasswordCommand({
      AccessToken: refreshed.AuthenticationResult.AccessToken,
      PreviousPassword: 'First-pass-1', ProposedPassword: 'Second-pass-2',
    }));
    const again = await client.send(new InitiateAuthCommand({
      ClientId: config.clientId, AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: 'sdk-user', PASSWORD: 'Second-pass-2' },
    }));
    await client.send(new GlobalSignOutCommand({ AccessToken: again.AuthenticationResult.AccessToken }));
    await assert.rejects(client.send(new InitiateAuthCommand({
      ClientId: config.clientId, AuthFlow: 'REFRESH_TOKEN_AUTH',
      AuthParameters: { REFRESH_TOKEN: again.AuthenticationResult.RefreshToken },
    })), { name: 'NotAuthorizedException' });
  });

  test('errors come back as Cognito names them', async () => {
    await assert.rejects(client.send(new SignUpCommand({
      ClientId: config.clientId, Username: 'sdk-user', Password: 'Other-pass-3',
    })), { name: 'UsernameExistsException' });
    await assert.rejects(client.send(new SignUpCommand({
      ClientId: config.clientId, Username: 'weak', Password: 'short',
    })), { name: 'InvalidPasswordException' });
    await assert.rejects(client.send(new InitiateAuthCommand({
      ClientId: config.clientId, AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: 'sdk-user', PASSWORD: 'Wrong-pass-9' },
    })), { name: 'NotAuthorizedException' });
    await assert.rejects(client.send(new InitiateAuthCommand({
      ClientId: config.clientId, AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: 'nobody', PASSWORD: 'Wrong-pass-9' },
    })), { name: 'NotAuthorizedException' });
    await assert.rejects(client.send(new InitiateAuthCommand({
      ClientId: 'notTheClient1', AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: 'sdk-user', PASSWORD: 'Second-pass-2' },
    })), { name: 'ResourceNotFoundException' });
  });

  test('open routes stay open, everything else needs a token', async () => {
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
    assert.equal((await fetch(`${server.url}/config.json`)).status, 200);
    assert.equal(await scanStatus(server.url), 401);
    assert.equal(await scanStatus(server.url, ''), 401);
  });

  test('forged tokens are refused with 401', async () => {
    const user = await newUser(server.url, 'forgery-victim');
    const key = readFileSync(path.join(dir, 'auth', 'signing-key.pem'), 'utf8');
    const jwks = await (await fetch(`${server.url}/.well-known/jwks.json`)).json();
    const kid = jwks.keys[0].kid;
    const now = Math.floor(Date.now() / 1000);
    const good = {
      sub: user.sub, iss: server.url, aud: config.clientId, token_use: 'id',
      iat: now, exp: now + 600, auth_time: now, 'cognito:username': user.name,
    };
    const rs256 = (claims, header = { kid, alg: 'RS256' }) => {
      const input = `${b64url(header)}.${b64url(claims)}`;
      return `${input}.${createSign('RSA-SHA256').update(input).sign(key).toString('base64url')}`;
    };
    // The control: a token signed with the real key verifies.
    assert.equal(await scanStatus(server.url, rs256(good)), 200);
    const pub = JSON.stringify(jwks.keys[0]);
    const forged = {
      'alg none': `${b64url({ alg: 'none', kid })}.${b64url(good)}.`,
      'HS256 with the public key': (() => {
        const input = `${b64url({ alg: 'HS256', kid })}.${b64url(good)}`;
        return `${input}.${createHmac('sha256', pub).update(input).digest('base64url')}`;
      })(),
      'unknown kid': rs256(good, { kid: 'no-such-key', alg: 'RS256' }),
      'wrong iss': rs256({ ...good, iss: 'http://evil.example' }),
      'wrong audience': rs256({ ...good, aud: 'another-client' }),
      'exp in the past': rs256({ ...good, exp: now - 3600, iat: now - 7200 }),
      'nbf in the future': rs256({ ...good, nbf: now + 3600 }),
      'altered claims': (() => {
        const [h, , s] = user.idToken.split('.');
        return `${h}.${b64url({ ...good, sub: 'someone-else' })}.${s}`;
      })(),
      truncated: user.idToken.slice(0, user.idToken.length - 20),
      'key in the token': rs256(good, { kid, alg: 'RS256', jwk: jwks.keys[0] }),
    };
    for (const [name, token] of Object.entries(forged)) {
      assert.equal(await scanStatus(server.url, token), 401, name);
    }
    // A 1 MB header: refused (by the token size limit or the header limit).
    const huge = `${b64url({ kid, alg: 'RS256', pad: 'x'.repeat(1 << 20) })}.${b64url(good)}.sig`;
    const status = await scanStatus(server.url, huge).catch(() => 'closed');
    assert.ok([401, 431, 'closed'].includes(status), `1 MB header: ${status}`);
    assert.equal(await scanStatus(server.url, user.idToken), 200, 'still serving');
  });

  test('invoices user administers the pool in the same store', () => {
    const store = ['--store', `file://${dir}`];
    let r = runCli(['user', 'add', 'admin-made', '--password', 'Made-by-admin-1', '--email', 'm@example.com', ...store]);
    assert.equal(r.status, 0, r.stderr);
    r = runCli(['user', 'list', ...store]);
    assert.match(r.stdout, /^admin-made\t[0-9a-f-]{36}\tCONFIRMED\tm@example.com$/m);
    assert.match(r.stdout, /^sdk-user\t/m);
    r = runCli(['user', 'reset-password', 'admin-made', ...store], { input: 'Reset-by-admin-2\n' });
    assert.equal(r.status, 0, r.stderr);
    r = runCli(['user', 'add', 'admin-made', '--password', 'Made-by-admin-1', ...store]);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /exists/i);
    r = runCli(['user', 'delete', 'admin-made', ...store]);
    assert.equal(r.status, 0, r.stderr);
    assert.doesNotMatch(runCli(['user', 'list', ...store]).stdout, /admin-made/);
  });
});

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

describe('tokens of a real Cognito stand-in (cognito-local)', () => {
  let cognitoLocal; let port; let server; let pool; let appClient; let client;
  before(async () => {
    port = await freePort();
    const cwd = tempDir('cognito-local-');
    mkdirSync(path.join(cwd, '.cognito'));
    writeFileSync(path.join(cwd, '.cognito', 'config.json'), JSON.stringify({
      TokenConfig: { IssuerDomain: `http://localhost:${port}` },
    }));
    cognitoLocal = spawn(process.execPath, [path.join(repo, 'tests', 'node_modules', 'cognito-local', 'lib', 'bin', 'start.js')], {
      cwd, env: { ...process.env, PORT: String(port), DEBUG: '' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('cognito-local did not start')), 30000);
      const poll = async () => {
        try { await fetch(`http://localhost:${port}/health`); clearTimeout(timer); resolve(); } catch { setTimeout(poll, 200); }
      };
      poll();
    });
    client = sdk(`http://localhost:${port}`);
    pool = (await client.send(new CreateUserPoolCommand({ PoolName: 'test' }))).UserPool;
    appClient = (await client.send(new CreateUserPoolClientCommand({
      UserPoolId: pool.Id, ClientName: 'web', ExplicitAuthFlows: ['USER_PASSWORD_AUTH'],
    }))).UserPoolClient;
    await client.send(new AdminCreateUserCommand({ UserPoolId: pool.Id, Username: 'carol@example.com', TemporaryPassword: 'Temp-pass-1', MessageAction: 'SUPPRESS', UserAttributes: [{ Name: 'email', Value: 'carol@example.com' }] }));
    await client.send(new AdminSetUserPasswordCommand({ UserPoolId: pool.Id, Username: 'carol@example.com', Password: 'Carol-pass-1', Permanent: true }));
    server = await startServer([
      '--store', `file://${tempDir()}`,
      '--auth-issuer', `http://localhost:${port}/${pool.Id}`,
      '--auth-audience', appClient.ClientId,
    ]);
  });
  after(async () => {
    await server?.stop();
    cognitoLocal?.kill();
  });

  async function signIn(clientId) {
    const r = await client.send(new InitiateAuthCommand({
      ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: 'carol@example.com', PASSWORD: 'Carol-pass-1' },
    }));
    return r.AuthenticationResult;
  }

  test('its tokens are accepted when configured with its issuer and JWKS', async () => {
    const tokens = await signIn(appClient.ClientId);
    assert.equal(await scanStatus(server.url, tokens.IdToken), 200);
    const config = (await (await fetch(`${server.url}/config.json`)).json()).auth;
    assert.equal(config.issuer, `http://localhost:${port}/${pool.Id}`);
    assert.equal(config.clientId, appClient.ClientId);
    // The external issuer replaces the built-in pool.
    assert.equal((await fetch(`${server.url}/cognito/`, { method: 'POST' })).status, 404);
  });

  test('tokens from another pool, or altered, are refused', async () => {
    const other = (await client.send(new CreateUserPoolCommand({ PoolName: 'other' }))).UserPool;
    const otherClient = (await client.send(new CreateUserPoolClientCommand({
      UserPoolId: other.Id, ClientName: 'x', ExplicitAuthFlows: ['USER_PASSWORD_AUTH'],
    }))).UserPoolClient;
    await client.send(new AdminCreateUserCommand({ UserPoolId: other.Id, Username: 'carol@example.com', TemporaryPassword: 'Temp-pass-1', MessageAction: 'SUPPRESS', UserAttributes: [{ Name: 'email', Value: 'carol@example.com' }] }));
    await client.send(new AdminSetUserPasswordCommand({ UserPoolId: other.Id, Username: 'carol@example.com', Password: 'Carol-pass-1', Permanent: true }));
    const foreign = await signIn(otherClient.ClientId);
    assert.equal(await scanStatus(server.url, foreign.IdToken), 401);
    const tokens = await signIn(appClient.ClientId);
    const [h, p, s] = tokens.IdToken.split('.');
    const claims = JSON.parse(Buffer.from(p, 'base64url'));
    assert.equal(await scanStatus(server.url, `${h}.${b64url({ ...claims, sub: 'mallory' })}.${s}`), 401);
  });
});
