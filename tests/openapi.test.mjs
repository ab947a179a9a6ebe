// docs/openapi.yaml against the code and a real `invoices serve`: the document
// is valid OpenAPI 3.1 whose schemas compile as JSON Schema 2020-12; it names
// exactly the routes, error codes, fields and Cognito operations that the
// sources define; every documented operation is served (and secured as
// documented); and every request of a realistic flow goes through the
// document: its query parameters and request media types are documented, its
// JSON bodies match the documented request schema, and each response's status,
// content type, body and headers match what the document says for them.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { Validator } from '@seriousme/openapi-schema-validator';
import { startServer, devImages, tempDir, repo, shared } from './lib/invoices.mjs';
import { newUser } from './lib/auth.mjs';

const source = (p) => readFileSync(path.join(repo, p), 'utf8');
const receipt = readFileSync(path.join(devImages, 'X00016469676.jpg'));
const otherReceipt = readFileSync(path.join(devImages, 'X00016469612.jpg'));
const gif = Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00');
const TARGET = 'AWSCognitoIdentityProviderService.';

// ---------------------------------------------------------------------------
// The document

const yamlDoc = parseDocument(source('docs/openapi.yaml'), { uniqueKeys: true });
const doc = yamlDoc.toJS();
const DOC_ID = 'https://invoices.invalid/openapi.json';

const esc = (s) => String(s).replace(/~/g, '~0').replace(/\//g, '~1');
const unesc = (s) => s.replace(/~1/g, '/').replace(/~0/g, '~');
const at = (pointer) => pointer.split('/').slice(1).map(unesc).reduce((o, k) => o?.[k], doc);

// Follows local $refs (path items, parameters, responses, headers, request
// bodies) to the object and its JSON pointer.
function deref(node, pointer) {
  for (let hops = 0; node && typeof node.$ref === 'string'; hops++) {
    assert.ok(hops < 10 && node.$ref.startsWith('#/'), `bad $ref ${node.$ref} at ${pointer}`);
    pointer = node.$ref.slice(1);
    node = at(pointer);
    assert.ok(node !== undefined, `unresolved $ref #${pointer}`);
  }
  return { node, pointer };
}

const ajv = new Ajv2020({ allErrors: true, strict: false });
addFormats(ajv);
// The whole document, so that a pointer into it (and every "#/components/..."
// reference inside) resolves; only the schemas reached are compiled. The
// document's own keywords ("openapi", "paths", ...) are not schema keywords,
// hence strict: false here; strictCompiler() checks the schemas strictly.
ajv.addSchema({ ...doc, $id: DOC_ID });

// Compiles the schemas with unknown keywords refused, so that a misspelt
// keyword cannot silently weaken one. References resolve to the component
// schemas, each added under its own $id.
function strictCompiler() {
  const strict = new Ajv2020({ allErrors: true, strictTypes: false, strictTuples: false });
  addFormats(strict);
  strict.addVocabulary(['example', 'discriminator', 'xml', 'externalDocs']);
  const base = 'https://invoices.invalid/schemas/';
  const rewrite = (node) => {
    if (Array.isArray(node)) return node.map(rewrite);
    if (!node || typeof node !== 'object') return node;
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, k === '$ref' && typeof v === 'string'
      ? v.replace(/^#\/components\/schemas\/(.*)$/, (_, name) => base + name) : rewrite(v)]));
  };
  for (const [name, schema] of Object.entries(doc.components.schemas)) {
    strict.addSchema({ ...rewrite(schema), $id: base + name });
  }
  let inline = 0;
  return (pointer) => {
    const schema = at(pointer);
    assert.ok(schema !== undefined, `no schema at ${pointer}`);
    const component = pointer.match(/^\/components\/schemas\/([^/]+)$/);
    if (component) assert.ok(strict.getSchema(base + unesc(component[1])));
    else if (typeof schema === 'object') strict.compile({ ...rewrite(schema), $id: `https://invoices.invalid/inline/${++inline}` });
  };
}

function validator(pointer) {
  const ref = `${DOC_ID}#${pointer.split('/').map((p) => encodeURIComponent(p)).join('/')}`;
  const validate = ajv.getSchema(ref);
  assert.ok(validate, `no schema at ${pointer}`);
  return validate;
}

function assertValid(pointer, value, what) {
  const validate = validator(pointer);
  if (!validate(value)) {
    assert.fail(`${what} does not match ${pointer}:\n${ajv.errorsText(validate.errors, { separator: '\n' })}\n` +
      `value: ${JSON.stringify(value).slice(0, 2000)}`);
  }
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

function operations() {
  const out = [];
  for (const [template, item0] of Object.entries(doc.paths)) {
    const item = deref(item0, `/paths/${esc(template)}`);
    for (const method of METHODS) {
      if (!item.node[method]) continue;
      out.push({
        template, method: method.toUpperCase(), node: item.node[method],
        pointer: `${item.pointer}/${method}`, item: item.node, itemPointer: item.pointer,
      });
    }
  }
  return out;
}

function operation(template, method) {
  const op = operations().find((o) => o.template === template && o.method === method);
  assert.ok(op, `${method} ${template} is not documented`);
  return op;
}

// The operation's parameters (the path item's, then its own), each with the
// pointer of its schema.
function parametersOf(op) {
  return [
    ...(op.item.parameters ?? []).map((p, i) => deref(p, `${op.itemPointer}/parameters/${i}`)),
    ...(op.node.parameters ?? []).map((p, i) => deref(p, `${op.pointer}/parameters/${i}`)),
  ].map(({ node, pointer }) => ({ ...node, schemaPointer: `${pointer}/schema` }));
}

const isSecured = (op) => (op.node.security ?? doc.security ?? []).length > 0;
const mediaType = (value) => (value ?? '').split(';')[0].trim().toLowerCase();
const isJson = (type) => type === 'application/json' || type.endsWith('+json') || type.startsWith('application/x-amz-json');

// ---------------------------------------------------------------------------
// The harness: one request, checked against the document on the way out and
// on the way back.

let server;

// Sends `method` to the documented `template` and checks the answer; resolves
// {res, status, headers, body (parsed JSON, text or bytes), bytes}.
async function call(method, template, {
  params = {}, query = {}, headers = {}, body, json, token, contentType, invalid = false,
} = {}) {
  const op = operation(template, method);
  const documented = parametersOf(op);
  for (const name of Object.keys(query)) {
    assert.ok(documented.some((p) => p.in === 'query' && p.name === name),
      `${method} ${template}: query parameter ${name} is not documented`);
  }
  // The request headers the test sends are documented parameters, and valid.
  for (const [name, value] of Object.entries(headers)) {
    const p = documented.find((d) => d.in === 'header' && d.name.toLowerCase() === name.toLowerCase());
    assert.ok(p, `${method} ${template}: header ${name} is not documented`);
    if (!invalid) assertValid(p.schemaPointer, value, `${method} ${template}: header ${name}`);
  }
  let concrete = template;
  for (const p of documented.filter((p) => p.in === 'path')) {
    assert.ok(p.name in params, `${method} ${template}: give path parameter ${p.name}`);
    concrete = concrete.replace(`{${p.name}}`, p.name.endsWith('+')
      ? params[p.name].split('/').map(encodeURIComponent).join('/') : encodeURIComponent(params[p.name]));
  }
  const h = { ...headers };
  if (token) h.authorization = `Bearer ${token}`;
  if (json !== undefined) {
    body = JSON.stringify(json);
    contentType ??= 'application/json';
  }
  if (contentType) h['content-type'] = contentType;
  if (body !== undefined && !(body instanceof FormData)) {
    const requestBody = deref(op.node.requestBody, `${op.pointer}/requestBody`);
    assert.ok(requestBody.node, `${method} ${template} documents no request body`);
    const type = mediaType(contentType);
    assert.ok(type in requestBody.node.content,
      `${method} ${template}: request content type ${type} is not documented`);
    const pointer = `${requestBody.pointer}/content/${esc(type)}/schema`;
    if (json !== undefined && !invalid) assertValid(pointer, json, `${method} ${template} request`);
    // A request made to be refused must be one that the document refuses.
    if (json !== undefined && invalid) {
      assert.equal(validator(pointer)(json), false, `${method} ${template}: the document allows ${body}`);
    }
  }
  if (body instanceof FormData) {
    const requestBody = deref(op.node.requestBody, `${op.pointer}/requestBody`);
    assert.ok('multipart/form-data' in requestBody.node.content, `${method} ${template}: multipart is not documented`);
  }
  const search = new URLSearchParams(query).toString();
  const res = await fetch(`${server.url}${concrete}${search ? `?${search}` : ''}`,
    { method, headers: h, body, redirect: 'manual' });
  return checkResponse(op, res);
}

async function checkResponse(op, res) {
  const what = `${op.method} ${op.template} -> ${res.status}`;
  const bytes = Buffer.from(await res.arrayBuffer());
  const status = String(res.status);
  const responses = op.node.responses;
  const key = [status, `${status[0]}XX`, 'default'].find((k) => k in responses);
  assert.ok(key, `${what} is not documented (${bytes.toString('utf8').slice(0, 300)})`);
  const response = deref(responses[key], `${op.pointer}/responses/${esc(key)}`);
  for (const [name, header0] of Object.entries(response.node.headers ?? {})) {
    const header = deref(header0, `${response.pointer}/headers/${esc(name)}`);
    const value = res.headers.get(name);
    if (header.node.required) assert.ok(value !== null, `${what}: header ${name} is missing`);
    if (value !== null && header.node.schema) {
      assertValid(`${header.pointer}/schema`, value, `${what}: header ${name}`);
    }
  }
  const content = response.node.content;
  let body = null;
  if (!content) {
    assert.equal(bytes.length, 0, `${what}: a body where the document has none`);
  } else {
    const type = mediaType(res.headers.get('content-type'));
    const mediaKey = [type, type.replace(/\/.*/, '/*'), '*/*'].find((k) => k in content);
    assert.ok(mediaKey, `${what}: content type ${type} is not documented (${Object.keys(content)})`);
    if (isJson(type)) {
      body = JSON.parse(bytes.toString('utf8'));
    } else if (type.startsWith('text/')) {
      body = bytes.toString('utf8');
    } else {
      body = bytes;
    }
    if (content[mediaKey].schema) {
      assertValid(`${response.pointer}/content/${esc(mediaKey)}/schema`,
        Buffer.isBuffer(body) ? bytes.toString('latin1') : body, what);
    }
  }
  return { res, status: res.status, headers: res.headers, body, bytes };
}

// A Cognito operation: the generic checks, then the schemas that
// `x-amz-targets` names for the target.
async function cognitoCall(action, json, { template = '/cognito/', contentType = 'application/x-amz-json-1.1' } = {}) {
  const target = `${TARGET}${action}`;
  const r = await call('POST', template, { json, contentType, headers: { 'x-amz-target': target } });
  const targets = operation(template, 'POST').node['x-amz-targets'];
  assert.ok(r.status === 200 || r.body?.__type, `${action}: ${r.status} ${JSON.stringify(r.body)}`);
  if (r.status === 200) {
    assert.ok(targets[target]?.response, `${action}: no response schema documented`);
    const pointer = deref(targets[target].response, '').pointer;
    assertValid(pointer, r.body, `${action} response`);
  } else if (r.body?.__type) {
    assert.equal(r.headers.get('x-amzn-errortype'), r.body.__type);
  }
  return r;
}

// ---------------------------------------------------------------------------

describe('the document', () => {
  test('is well-formed YAML and valid OpenAPI 3.1', async () => {
    assert.deepEqual(yamlDoc.errors, []);
    assert.deepEqual(yamlDoc.warnings, []);
    assert.match(doc.openapi, /^3\.1\.\d+$/);
    const checker = new Validator();
    const result = await checker.validate(structuredClone(doc));
    assert.ok(result.valid, JSON.stringify(result.errors, null, 2));
    assert.equal(checker.version, '3.1');
  });

  test('every $ref resolves, every schema compiles, operation ids are unique', () => {
    const strictSchema = strictCompiler();
    const walk = (node, pointer) => {
      if (Array.isArray(node)) node.forEach((v, i) => walk(v, `${pointer}/${i}`));
      else if (node && typeof node === 'object') {
        if (typeof node.$ref === 'string') {
          assert.ok(node.$ref.startsWith('#/') && at(node.$ref.slice(1)) !== undefined,
            `${pointer}: unresolved $ref ${node.$ref}`);
        }
        for (const [k, v] of Object.entries(node)) walk(v, `${pointer}/${esc(k)}`);
      }
    };
    walk(doc, '');
    for (const name of Object.keys(doc.components.schemas)) {
      strictSchema(`/components/schemas/${esc(name)}`);
      validator(`/components/schemas/${esc(name)}`);
    }
    const ids = operations().map((o) => o.node.operationId).filter(Boolean);
    assert.equal(new Set(ids).size, ids.length, 'duplicate operationId');
    // Every schema under a response, a request body, a parameter or a header
    // compiles too.
    for (const op of operations()) {
      const rb = op.node.requestBody && deref(op.node.requestBody, `${op.pointer}/requestBody`);
      for (const type of Object.keys(rb?.node.content ?? {})) {
        strictSchema(`${rb.pointer}/content/${esc(type)}/schema`);
        validator(`${rb.pointer}/content/${esc(type)}/schema`);
      }
      for (const [status, r0] of Object.entries(op.node.responses)) {
        const r = deref(r0, `${op.pointer}/responses/${esc(status)}`);
        for (const type of Object.keys(r.node.content ?? {})) {
          if (!r.node.content[type].schema) continue;
          strictSchema(`${r.pointer}/content/${esc(type)}/schema`);
          validator(`${r.pointer}/content/${esc(type)}/schema`);
        }
      }
    }
  });

  test('SCHEMA.md\'s example validates as an Extraction', () => {
    const md = readFileSync(path.join(shared, 'docs', 'SCHEMA.md'), 'utf8');
    const example = JSON.parse(md.match(/```json\n([\s\S]*?)```/)[1]);
    assertValid('/components/schemas/Extraction', example, 'SCHEMA.md example');
    assertValid('/components/schemas/Extraction', doc.components.schemas.Extraction.example, 'documented example');
    assertValid('/components/schemas/ExtractionError',
      { file: 'a.gif', error: { code: 'unsupported_media_type', message: 'no' } }, 'per-document error');
  });

  test('names exactly the routes of the route table (routes.h)', () => {
    // functions::kRoutes, which `invoices serve` builds its router from:
    // {"METHOD", "/path", "function", needs_token, work, throttled}.
    const table = source('include/invoices/functions/routes.h');
    const registered = new Set();
    for (const m of table.matchAll(/\{\s*"([A-Z]+)",\s*"(\/[^"]*)",\s*"(\w+)",/g)) {
      registered.add(`${m[1]} ${m[2]}`);
    }
    assert.equal(Number(table.match(/std::array<RouteSpec, (\d+)> kRoutes/)[1]), registered.size,
      'every entry of kRoutes is read');
    assert.ok(registered.size >= 15, `found only ${[...registered]}`);
    const documented = new Set(operations().map((o) => `${o.method} ${o.template}`));
    assert.deepEqual([...documented].sort(), [...registered].sort());
  });

  test('has the error codes of src/core/error.cpp and the fields of SCHEMA.md', () => {
    const codes = [...source('src/core/error.cpp').matchAll(/\{ErrorCode::k\w+,\s*"(\w+)",\s*(\d+)/g)].map((m) => m[1]);
    assert.equal(codes.length, 12);
    assert.deepEqual([...doc.components.schemas.ErrorCode.enum].sort(), [...codes].sort());

    const specs = [...source('include/invoices/core/extraction.h').matchAll(/\{"(\w+)", FieldKind::k(\w+)\}/g)]
      .map((m) => [m[1], m[2]]);
    assert.equal(specs.length, 19);
    const names = specs.map(([n]) => n);
    const s = doc.components.schemas;
    for (const schema of ['ExtractedFields', 'FieldValues', 'CorrectionValues']) {
      assert.deepEqual(Object.keys(s[schema].properties), names, `${schema} lists the fields in order`);
    }
    const kinds = { Text: ['ExtractedText', 'Text', 'TextCorrection'], Date: ['ExtractedDate', 'Date', 'DateCorrection'],
      Amount: ['ExtractedAmount', 'Amount', 'AmountCorrection'], Currency: ['ExtractedCurrency', 'CurrencyCode', 'CurrencyCorrection'] };
    for (const [name, kind] of specs) {
      const refs = ['ExtractedFields', 'FieldValues', 'CorrectionValues']
        .map((schema) => s[schema].properties[name].$ref.replace('#/components/schemas/', ''));
      assert.deepEqual(refs, kinds[kind], `${name} is a ${kind}`);
    }
    assert.ok(s.InvoiceCsv.pattern.startsWith(`^id,created_at,status,${names.join(',')}\\r\\n`));
  });

  test('has the Cognito operations and error names of the handler and the pool', () => {
    const actions = [...source('src/functions/cognito.cpp').matchAll(/if \(action == "(\w+)"\)/g)].map((m) => m[1]);
    assert.equal(actions.length, 10);
    const op = operation('/cognito/', 'POST');
    const target = parametersOf(op).find((p) => p.name === 'X-Amz-Target');
    assert.deepEqual(target.schema.enum, actions.map((a) => TARGET + a));
    assert.deepEqual(Object.keys(op.node['x-amz-targets']), actions.map((a) => TARGET + a));
    const names = new Set([
      ...source('src/auth/user_pool.cpp').match(/CognitoErrorName\([\s\S]*?\n\}/)[0].matchAll(/"(\w+Exception)"/g),
      ...source('src/functions/cognito.cpp').matchAll(/"(\w+Exception)"/g),
    ].map((m) => m[1]));
    assert.deepEqual([...doc.components.schemas.CognitoErrorType.enum].sort(), [...names].sort());
  });
});

describe('against a real `invoices serve`', () => {
  let alice; let bob; let clientId;
  before(async () => {
    server = await startServer(['--store', `file://${tempDir()}`]);
    bob = await newUser(server.url, 'openapi-bob');
  });
  after(async () => { await server.stop(); });

  test('the open routes: health, client configuration, keys, discovery, the page', async () => {
    const health = await call('GET', '/healthz');
    assert.equal(health.status, 200);
    const mine = await call('GET', '/healthz', { headers: { 'x-request-id': 'openapi.test-1' } });
    assert.equal(mine.headers.get('x-request-id'), 'openapi.test-1');

    const config = await call('GET', '/config.json');
    assert.equal(config.status, 200);
    assert.equal(config.body.auth.endpoint, `${server.url}/cognito/`);
    clientId = config.body.auth.clientId;

    const jwks = await call('GET', '/.well-known/jwks.json');
    assert.equal(jwks.status, 200);
    const oidc = await call('GET', '/.well-known/openid-configuration');
    assert.equal(oidc.status, 200);
    assert.equal(oidc.body.jwks_uri, `${server.url}/.well-known/jwks.json`);

    const page = await call('GET', '/');
    assert.equal(page.status, 200);
    assert.match(page.body, /<html/);
    assert.equal((await call('GET', '/', { headers: { 'if-none-match': page.headers.get('etag') } })).status, 304);
    const script = await call('GET', '/{path+}', { params: { 'path+': 'app.js' } });
    assert.equal(script.status, 200);
    assert.equal((await call('GET', '/{path+}', { params: { 'path+': 'no/such/file.js' } })).status, 404);
  });

  test('the description itself is served at /openapi.yaml, as built', async () => {
    const res = await fetch(`${server.url}/openapi.yaml`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/yaml');
    assert.equal(await res.text(), source('docs/openapi.yaml'));
  });

  test('the Cognito protocol: sign up, sign in, refresh, read the user, and its errors', async () => {
    const password = 'Correct-horse-7';
    const up = await cognitoCall('SignUp', {
      ClientId: clientId, Username: 'openapi-alice', Password: password,
      UserAttributes: [{ Name: 'email', Value: 'alice@example.com' }],
    });
    assert.equal(up.status, 200);
    assert.equal((await cognitoCall('SignUp', { ClientId: clientId, Username: 'openapi-alice', Password: password }))
      .body.__type, 'UsernameExistsException');
    const auth = await cognitoCall('InitiateAuth', {
      ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'openapi-alice', PASSWORD: password },
    });
    assert.equal(auth.status, 200);
    const tokens = auth.body.AuthenticationResult;
    alice = { sub: up.body.UserSub, token: tokens.IdToken };

    const refreshed = await cognitoCall('InitiateAuth', {
      ClientId: clientId, AuthFlow: 'REFRESH_TOKEN_AUTH', AuthParameters: { REFRESH_TOKEN: tokens.RefreshToken },
    }, { template: '/cognito' });
    assert.equal(refreshed.status, 200);
    assert.equal(refreshed.body.AuthenticationResult.RefreshToken, undefined);
    const me = await cognitoCall('GetUser', { AccessToken: tokens.AccessToken });
    assert.equal(me.body.Username, 'openapi-alice');

    // A second session to change the password of, sign out of and revoke.
    const carol = await newUser(server.url, 'openapi-carol');
    assert.equal((await cognitoCall('ChangePassword', {
      AccessToken: carol.accessToken, PreviousPassword: carol.password, ProposedPassword: 'Another-pass-8',
    })).status, 200);
    const signIn = () => cognitoCall('InitiateAuth', {
      ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: carol.name, PASSWORD: 'Another-pass-8' },
    });
    const [one, two] = [(await signIn()).body.AuthenticationResult, (await signIn()).body.AuthenticationResult];
    assert.equal((await cognitoCall('RevokeToken', { ClientId: clientId, Token: one.RefreshToken })).status, 200);
    assert.equal((await cognitoCall('GlobalSignOut', { AccessToken: two.AccessToken })).status, 200);
    assert.equal((await cognitoCall('GetUser', { AccessToken: two.AccessToken })).body.__type, 'NotAuthorizedException');

    const errors = [
      [await cognitoCall('InitiateAuth', { ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: 'openapi-alice', PASSWORD: 'Wrong-pass-9' } }), 'NotAuthorizedException'],
      [await cognitoCall('SignUp', { ClientId: 'notTheClient1', Username: 'x', Password: password }), 'ResourceNotFoundException'],
      [await cognitoCall('ConfirmSignUp', { ClientId: clientId, Username: 'openapi-alice', ConfirmationCode: '123456' }),
        'InvalidParameterException'],
      [await cognitoCall('SignUp', { ClientId: clientId, Username: 'weak', Password: 'short' }), 'InvalidPasswordException'],
    ];
    for (const [r, type] of errors) {
      assert.equal(r.status, 400);
      assert.equal(r.body.__type, type);
    }
    const targets = operation('/cognito/', 'POST').node['x-amz-targets'];
    assert.equal(targets[`${TARGET}ConfirmSignUp`].error, 'InvalidParameterException');
    // An unknown target and a wrong content type are refused before any action.
    const unknown = await fetch(`${server.url}/cognito/`, {
      method: 'POST', body: '{}',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `${TARGET}AdminCreateUser` },
    });
    const unknownChecked = await checkResponse(operation('/cognito/', 'POST'), unknown);
    assert.equal(unknownChecked.body.__type, 'UnknownOperationException');
    const wrongType = await checkResponse(operation('/cognito/', 'POST'), await fetch(`${server.url}/cognito/`, {
      method: 'POST', body: '{}', headers: { 'content-type': 'text/plain', 'x-amz-target': `${TARGET}GetUser` },
    }));
    assert.equal(wrongType.body.__type, 'SerializationException');
  });

  test('every documented operation is served, and secured as documented', async () => {
    // An invoice to aim the {id} routes at (stored unread: no OCR).
    const form = new FormData();
    form.append('file', new Blob([receipt], { type: 'image/jpeg' }), 'coverage.jpg');
    form.append('fields', JSON.stringify({ total: '1.00' }));
    const made = await call('POST', '/invoices', { body: form, token: alice.token });
    assert.equal(made.status, 201);
    const params = { id: made.body.id, 'path+': 'app.js' };
    // DELETE last, so that the other {id} routes still find the invoice.
    const ops = operations().sort((a, b) => (a.method === 'DELETE') - (b.method === 'DELETE'));
    for (const op of ops) {
      const concrete = op.template.replace('{id}', params.id).replace('{path+}', params['path+']);
      const body = ['POST', 'PATCH'].includes(op.method) ? '{}' : undefined;
      const headers = body ? { 'content-type': op.template.startsWith('/cognito') ? 'application/x-amz-json-1.1' : 'application/json' } : {};

      const anonymous = await fetch(`${server.url}${concrete}`, { method: op.method, body, headers, redirect: 'manual' });
      await anonymous.arrayBuffer();
      if (isSecured(op)) {
        assert.equal(anonymous.status, 401, `${op.method} ${op.template} needs a token`);
        assert.equal(anonymous.headers.get('www-authenticate'), 'Bearer');
      } else {
        assert.notEqual(anonymous.status, 401, `${op.method} ${op.template} is open`);
      }

      const res = await fetch(`${server.url}${concrete}`, {
        method: op.method, body, redirect: 'manual',
        headers: { ...headers, authorization: `Bearer ${alice.token}` },
      });
      assert.ok(![404, 405].includes(res.status), `${op.method} ${op.template}: ${res.status}`);
      await checkResponse(op, res);

      // A method the document does not name for the path is refused with
      // 405, and Allow names at least the documented ones.
      const documented = operations().filter((o) => o.template === op.template).map((o) => o.method);
      const wrong = await fetch(`${server.url}${concrete}`, { method: 'PUT', headers: { authorization: `Bearer ${alice.token}` } });
      await wrong.arrayBuffer();
      assert.equal(wrong.status, 405, `PUT ${op.template}`);
      const allow = wrong.headers.get('allow').split(/,\s*/);
      for (const m of documented) assert.ok(allow.includes(m), `PUT ${op.template}: Allow ${allow} lacks ${m}`);
    }
  });

  test('POST /scan: a receipt, multipart, and documents it cannot read', async () => {
    const scanned = await call('POST', '/scan', { body: receipt, contentType: 'image/jpeg', token: alice.token, query: { file: 'r.jpg' } });
    assert.equal(scanned.status, 200);
    assert.equal(scanned.body.file, 'r.jpg');
    assert.equal(scanned.body.fields.total.value, '20.00');
    const form = new FormData();
    form.append('file', new Blob([receipt], { type: 'image/jpeg' }), 'receipt.jpg');
    const multipart = await call('POST', '/scan', { body: form, token: alice.token });
    assert.equal(multipart.status, 200);
    assert.equal(multipart.body.file, 'receipt.jpg');
    // OCR languages per request: installed ones are read with, others refused.
    const german = await call('POST', '/scan', { body: receipt, contentType: 'image/jpeg', token: alice.token, query: { lang: 'deu+eng' } });
    assert.equal(german.status, 200);
    assert.equal(german.body.document.language, 'deu+eng');
    const unknownLang = await call('POST', '/scan', { body: receipt, contentType: 'image/jpeg', token: alice.token, query: { lang: 'xyz' } });
    assert.equal(unknownLang.status, 400);
    assert.match(unknownLang.body.error.message, /"xyz" is not installed/);

    const empty = await call('POST', '/scan', { body: '', contentType: 'image/jpeg', token: alice.token });
    assert.equal(empty.status, 400);
    assert.equal(empty.body.file, undefined, 'an empty body is no document');
    const text = await call('POST', '/scan', { body: 'hello, this is text', contentType: 'image/jpeg', token: alice.token });
    assert.equal(text.status, 400);
    assert.equal(text.body.file, 'upload');
    const unsupported = await call('POST', '/scan', { body: gif, contentType: 'application/octet-stream', token: alice.token });
    assert.equal(unsupported.status, 415);
    // A JPEG whose header declares 10000 x 10000 pixels (over the 64 MP limit).
    const huge = Buffer.from(receipt);
    for (let i = 2; i < huge.length - 9; i++) {
      if (huge[i] === 0xff && huge[i + 1] === 0xc0) {
        huge.writeUInt16BE(10000, i + 5);
        huge.writeUInt16BE(10000, i + 7);
        break;
      }
    }
    const tooMany = await call('POST', '/scan', { body: huge, contentType: 'image/jpeg', token: alice.token });
    assert.equal(tooMany.status, 413);
    assert.equal(tooMany.body.file, 'upload');
    assert.equal((await call('POST', '/scan', { body: receipt, contentType: 'image/jpeg' })).status, 401);
    assert.equal((await call('POST', '/scan', { body: receipt, contentType: 'image/jpeg', token: 'forged.token.here' })).status, 401);
  });

  describe('the invoice routes', () => {
    let first; let etag;
    test('upload with an Idempotency-Key, its retry, and a user-valued upload', async () => {
      const key = `openapi-${Date.now()}`;
      const created = await call('POST', '/invoices', {
        body: receipt, contentType: 'image/jpeg', token: alice.token, headers: { 'idempotency-key': key },
      });
      assert.equal(created.status, 201);
      assert.equal(created.headers.get('location'), `/invoices/${created.body.id}`);
      first = created.body;
      etag = created.headers.get('etag');
      const replay = await call('POST', '/invoices', {
        body: receipt, contentType: 'image/jpeg', token: alice.token, headers: { 'idempotency-key': key },
      });
      assert.equal(replay.status, 200);
      assert.equal(replay.body.id, first.id);
      const reused = await call('POST', '/invoices', {
        body: otherReceipt, contentType: 'image/jpeg', token: alice.token, headers: { 'idempotency-key': key },
      });
      assert.equal(reused.status, 400);

      const form = new FormData();
      form.append('file', new Blob([receipt], { type: 'image/jpeg' }), 'mine.jpg');
      form.append('fields', JSON.stringify({ fields: { vendor_name: 'Mine', invoice_date: '2019-02-01', total: '5.00', currency: 'MYR' } }));
      const mine = await call('POST', '/invoices', { body: form, token: alice.token });
      assert.equal(mine.status, 201);
      assert.equal(mine.body.duplicate_of, first.id);
      assert.equal(mine.body.extraction.document.source, 'user');
      assertValid('/components/schemas/InvoiceUpload/properties/fields/contentSchema',
        { fields: { total: '5.00' } }, 'the fields part');
    });

    test('list, page with the cursor, filter with every documented parameter', async () => {
      const page = await call('GET', '/invoices', { token: alice.token, query: { limit: '1' } });
      assert.equal(page.status, 200);
      assert.equal(page.body.items.length, 1);
      assert.ok(page.body.next_cursor);
      const next = await call('GET', '/invoices', { token: alice.token, query: { limit: '1', cursor: page.body.next_cursor } });
      assert.equal(next.status, 200);
      assert.notEqual(next.body.items[0]?.id, page.body.items[0].id);
      for (const template of ['/invoices', '/invoices/export.csv']) {
        for (const p of parametersOf(operation(template, 'GET')).filter((q) => q.in === 'query' && q.example !== undefined)) {
          const r = await call('GET', template, { token: alice.token, query: { [p.name]: String(p.example) } });
          assert.equal(r.status, 200, `${template}?${p.name}=${p.example}`);
        }
      }
      const found = await call('GET', '/invoices', { token: alice.token, query: { q: 'rengit', from: '2019-01-01', to: '2019-01-31' } });
      assert.deepEqual(found.body.items.map((i) => i.id), [first.id]);
      for (const query of [{ limit: '0' }, { from: 'yesterday' }, { min_total: 'ten' }, { cursor: '%%%' }, { currency: 'euro' }]) {
        assert.equal((await call('GET', '/invoices', { token: alice.token, query })).status, 400, JSON.stringify(query));
      }
    });

    test('get, 304, patch with If-Match, 412 on a stale ETag, 400 on bad values', async () => {
      const got = await call('GET', '/invoices/{id}', { params: { id: first.id }, token: alice.token });
      assert.equal(got.status, 200);
      assert.equal(got.headers.get('etag'), etag);
      const lower = await call('GET', '/invoices/{id}', { params: { id: first.id.toLowerCase() }, token: alice.token });
      assert.equal(lower.status, 200, 'ids are case-blind');
      assert.equal((await call('GET', '/invoices/{id}', {
        params: { id: first.id }, token: alice.token, headers: { 'if-none-match': etag },
      })).status, 304);

      const patched = await call('PATCH', '/invoices/{id}', {
        params: { id: first.id }, token: alice.token, contentType: 'application/merge-patch+json', headers: { 'if-match': etag },
        json: { fields: { vendor_name: 'S.H.H. MOTOR (SUNGAI RENGIT) SDN. BHD.', currency: 'MYR', tip: null } },
      });
      assert.equal(patched.status, 200);
      assert.equal(patched.body.status, 'corrected');
      assert.notEqual(patched.headers.get('etag'), etag);
      const stale = await call('PATCH', '/invoices/{id}', {
        params: { id: first.id }, token: alice.token, headers: { 'if-match': etag }, json: { fields: { total: '21.00' } },
      });
      assert.equal(stale.status, 412);
      for (const json of [{ fields: { invoice_date: '31/02/2019' } }, { fields: { total: 'twenty' } },
        { fields: { colour: 'red' } }, { fields: { vendor_name: ' ' } }, { status: 'corrected' }, { fields: { total: 20 } }]) {
        const bad = await call('PATCH', '/invoices/{id}', { params: { id: first.id }, token: alice.token, json, invalid: true });
        assert.equal(bad.status, 400, JSON.stringify(json));
      }
      const notJson = await call('PATCH', '/invoices/{id}', {
        params: { id: first.id }, token: alice.token, body: 'nope', contentType: 'application/json',
      });
      assert.equal(notJson.status, 400);
    });

    test('the picture and the CSV export', async () => {
      const picture = await call('GET', '/invoices/{id}/picture', { params: { id: first.id }, token: alice.token });
      assert.equal(picture.status, 200);
      assert.deepEqual(picture.bytes, receipt);
      const csv = await call('GET', '/invoices/export.csv', { token: alice.token, query: { vendor: 'motor' } });
      assert.equal(csv.status, 200);
      const lines = csv.body.trim().split('\r\n');
      assert.equal(lines.length, 2);
      assert.ok(lines[1].startsWith(`${first.id},`));
    });

    test('errors: 400, 401, 404 (also for another user), 413, 415', async () => {
      assert.equal((await call('GET', '/invoices/{id}', { params: { id: 'not-an-id' }, token: alice.token })).status, 400);
      assert.equal((await call('GET', '/invoices/{id}', { params: { id: '01ARZ3NDEKTSV4RRFFQ69G5FAV' }, token: alice.token })).status, 404);
      for (const [method, template] of [['GET', '/invoices/{id}'], ['DELETE', '/invoices/{id}'], ['GET', '/invoices/{id}/picture']]) {
        assert.equal((await call(method, template, { params: { id: first.id }, token: bob.idToken })).status, 404,
          `${method} ${template} of another user`);
      }
      assert.equal((await call('PATCH', '/invoices/{id}', { params: { id: first.id }, token: bob.idToken, json: { fields: {} } })).status, 404);
      assert.equal((await call('GET', '/invoices')).status, 401);
      assert.equal((await call('GET', '/invoices', { token: `${alice.token}x` })).status, 401);
      assert.equal((await call('GET', '/invoices/export.csv', { token: 'a.b.c' })).status, 401);

      const empty = await call('POST', '/invoices', { body: '', contentType: 'image/jpeg', token: alice.token });
      assert.equal(empty.status, 400);
      const text = await call('POST', '/invoices', { body: 'not an image', contentType: 'image/jpeg', token: alice.token });
      assert.equal(text.status, 400);
      assert.equal(text.body.file, 'upload');
      const unsupported = await call('POST', '/invoices', { body: gif, contentType: 'application/octet-stream', token: alice.token });
      assert.equal(unsupported.status, 415);
      assert.equal(unsupported.body.file, 'upload');
      // With user values the document is stored unread: unknown bytes are 415
      // without a file name.
      const form = new FormData();
      form.append('file', new Blob(['plain text'], { type: 'text/plain' }), 'notes.txt');
      form.append('fields', JSON.stringify({ total: '1.00' }));
      const unread = await call('POST', '/invoices', { body: form, token: alice.token });
      assert.equal(unread.status, 415);
      assert.equal(unread.body.file, undefined);
      const big = Buffer.alloc(11 * 1024 * 1024);
      big.set([0xff, 0xd8, 0xff], 0);
      assert.equal((await call('POST', '/invoices', { body: big, contentType: 'image/jpeg', token: alice.token })).status, 413);
      const badKey = await call('POST', '/invoices', {
        body: receipt, contentType: 'image/jpeg', token: alice.token, headers: { 'idempotency-key': 'x'.repeat(256) }, invalid: true,
      });
      assert.equal(badKey.status, 400);
    });

    test('delete, then it is gone', async () => {
      assert.equal((await call('DELETE', '/invoices/{id}', { params: { id: first.id }, token: alice.token })).status, 204);
      assert.equal((await call('DELETE', '/invoices/{id}', { params: { id: first.id }, token: alice.token })).status, 404);
      assert.equal((await call('GET', '/invoices/{id}/picture', { params: { id: first.id }, token: alice.token })).status, 404);
    });
  });
});
