// The AWS deployment without an AWS account: deploy/template.yaml is checked
// by cfn-lint (AWS's linter, SAM transform included) and against the code and
// docs/openapi.yaml (every route on the right function behind the Cognito
// authorizer, the open ones open, a private encrypted versioned bucket,
// least-privilege IAM, a log group with retention for every function); the
// Lambda zip of scripts/package-lambda starts with only its own libraries;
// and the real bootstrap from that zip answers API Gateway and S3 events
// through a fake of Lambda's Runtime API, as Lambda would run it.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, mkdirSync, writeFileSync, statSync, rmSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { repo, bin, devImages, tempDir, startServer } from './lib/invoices.mjs';
import { newUser } from './lib/auth.mjs';
import { startFakeRuntime, startRuntimeProcess } from './lib/fake-lambda.mjs';

const source = (p) => readFileSync(path.join(repo, p), 'utf8');

// CloudFormation's short forms (!Ref, !Sub, !GetAtt, ...) as their long
// forms ({"Ref": ...}, {"Fn::Sub": ...}), so the template reads as the JSON
// CloudFormation sees.
const FUNCTIONS = ['Ref', 'Condition', 'Base64', 'Cidr', 'FindInMap', 'GetAZs', 'ImportValue', 'Join',
  'Select', 'Split', 'Sub', 'If', 'Not', 'Equals', 'And', 'Or', 'GetAtt', 'Transform'];
const customTags = FUNCTIONS.flatMap((name) => {
  const key = name === 'Ref' || name === 'Condition' ? name : `Fn::${name}`;
  const wrap = (v) => ({ [key]: name === 'GetAtt' && typeof v === 'string' ? v.split('.') : v });
  return [
    { tag: `!${name}`, resolve: (text) => wrap(text) },
    { tag: `!${name}`, collection: 'seq', resolve: (seq) => wrap(seq.toJSON()) },
    { tag: `!${name}`, collection: 'map', resolve: (map) => wrap(map.toJSON()) },
  ];
});
const template = parse(source('deploy/template.yaml'), { customTags, uniqueKeys: true });
const resources = template.Resources;
const ofType = (type) => Object.entries(resources).filter(([, r]) => r.Type === type);
const functions = Object.fromEntries(ofType('AWS::Serverless::Function'));
const openapi = parse(source('docs/openapi.yaml'));

// Every HttpApi event: {fn, method, path, auth}.
const routes = Object.entries(functions).flatMap(([fn, r]) => Object.values(r.Properties.Events ?? {})
  .filter((e) => e.Type === 'HttpApi')
  .map((e) => ({ fn, method: e.Properties.Method, path: e.Properties.Path, apiId: e.Properties.ApiId, auth: e.Properties.Auth })));
const routeOf = (method, p) => routes.filter((r) => r.method === method && r.path === p);
const isOpen = (r) => r.auth?.Authorizer === 'NONE';

// The IAM statements the template writes: the functions' inline policies and
// any IAM policy, role or bucket policy resource.
function statements() {
  const out = [];
  for (const [name, fn] of Object.entries(functions)) {
    for (const p of fn.Properties.Policies ?? []) {
      assert.equal(typeof p, 'object', `${name}: a managed or SAM policy template (${p}) cannot be checked here`);
      for (const s of p.Statement ?? []) out.push({ where: name, ...s });
    }
  }
  for (const [name, r] of [...ofType('AWS::IAM::Policy'), ...ofType('AWS::IAM::ManagedPolicy'), ...ofType('AWS::S3::BucketPolicy')]) {
    for (const s of r.Properties.PolicyDocument.Statement) out.push({ where: name, ...s });
  }
  for (const [name, r] of ofType('AWS::IAM::Role')) {
    for (const p of r.Properties.Policies ?? []) for (const s of p.PolicyDocument.Statement) out.push({ where: name, ...s });
  }
  return out;
}
const list = (v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
// The text of an ARN expression: a string, or !Sub's string.
const arnText = (v) => (typeof v === 'string' ? v : v?.['Fn::Sub'] ? list(v['Fn::Sub'])[0] : JSON.stringify(v));
const s3Grants = (fn) => statements().filter((s) => s.where === fn && s.Effect === 'Allow')
  .flatMap((s) => list(s.Action).filter((a) => a.startsWith('s3:'))
    .flatMap((a) => list(s.Resource).map((r) => `${a} ${arnText(r).replace(/^.*:::invoices-\$\{Suffix\}/, '')}`)));

describe('deploy/template.yaml', () => {
  test('cfn-lint (AWS CloudFormation Linter, SAM transform) finds nothing', (t) => {
    // The npm package named cfn-lint is another, older linter that cannot
    // read this template (it does not know AWS::ApiGatewayV2::DomainName);
    // AWS's cfn-lint is a Python tool, on the machine image where it is.
    const which = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' });
    if (which.error || which.status !== 0) {
      t.skip('cfn-lint is not installed (pip install cfn-lint); the structural checks below still run');
      return;
    }
    const r = spawnSync('cfn-lint', ['deploy/template.yaml', '--include-checks', 'I'], { cwd: repo, encoding: 'utf8' });
    assert.equal(r.status, 0, `cfn-lint ${which.stdout.trim()}:\n${r.stdout}${r.stderr}`);
    assert.equal(r.stdout.trim(), '');
    // And it does find a broken template: the check is not vacuous.
    const broken = path.join(tempDir(), 'broken.yaml');
    writeFileSync(broken, source('deploy/template.yaml').replace('Runtime: provided.al2023', 'Runtime: provided.al2099')
      .replace('LogGroup: !Ref ScanLogGroup', 'LogGroup: !Ref NoSuchLogGroup'));
    const bad = spawnSync('cfn-lint', [broken], { encoding: 'utf8' });
    assert.notEqual(bad.status, 0);
    assert.match(bad.stdout, /provided\.al2099/);
    assert.match(bad.stdout, /NoSuchLogGroup/);
  });

  test('is a SAM template with the four functions on the custom runtime', () => {
    assert.equal(template.Transform, 'AWS::Serverless-2016-10-31');
    const g = template.Globals.Function;
    assert.equal(g.Runtime, 'provided.al2023');
    assert.deepEqual(g.Architectures, [{ Ref: 'Architecture' }]);
    assert.deepEqual(template.Parameters.Architecture.AllowedValues.sort(), ['arm64', 'x86_64']);
    assert.equal(g.CodeUri, '../build/lambda.zip');
    for (const p of ['OcrMemorySize', 'OcrTimeout', 'ApiMemorySize', 'ApiTimeout']) assert.ok(template.Parameters[p], p);
    // The handlers are the names `invoices lambda` knows (_HANDLER).
    const known = [...source('src/cli/lambda_command.cpp').matchAll(/name == "([a-z0-9-]+)"/g)].map((m) => m[1]);
    assert.deepEqual([...new Set(known)].sort(), ['invoices', 's3-upload', 'save', 'scan']);
    const handlers = Object.fromEntries(Object.entries(functions).map(([n, f]) => [n, f.Properties.Handler]));
    assert.deepEqual(handlers, { ScanFunction: 'scan', SaveFunction: 'save', InvoicesFunction: 'invoices', UploadFunction: 's3-upload' });
  });

  test('every documented invoice route is on the right function, behind the Cognito authorizer', () => {
    const documented = [];
    for (const [p, item] of Object.entries(openapi.paths)) {
      if (!p.startsWith('/invoices') && p !== '/scan') continue;
      for (const m of ['get', 'post', 'patch', 'delete', 'put']) if (item[m]) documented.push([m.toUpperCase(), p]);
    }
    // The routes the code serves (invoices.h) are the documented ones.
    const code = [...source('include/invoices/functions/invoices.h').matchAll(/\{"([A-Z]+)", "(\/invoices[^"]*)"\}/g)]
      .map((m) => `${m[1]} ${m[2]}`);
    assert.deepEqual(documented.filter(([, p]) => p !== '/scan').map((r) => r.join(' ')).sort(), code.sort());
    assert.equal(documented.length, 8);
    for (const [method, p] of documented) {
      const found = routeOf(method, p);
      assert.equal(found.length, 1, `${method} ${p}: ${found.length} HttpApi events`);
      const [r] = found;
      const expected = p === '/scan' ? 'ScanFunction' : method === 'POST' ? 'SaveFunction' : 'InvoicesFunction';
      assert.equal(r.fn, expected, `${method} ${p}`);
      assert.deepEqual(r.apiId, { Ref: 'HttpApi' });
      assert.ok(!isOpen(r), `${method} ${p} must not be open`);
      assert.equal(r.auth, undefined, `${method} ${p} uses the default (JWT) authorizer`);
    }
    // The default authorizer is a JWT authorizer of this stack's user pool
    // and app client.
    const auth = resources.HttpApi.Properties.Auth;
    const jwt = auth.Authorizers[auth.DefaultAuthorizer];
    assert.ok(jwt, 'the default authorizer is defined');
    assert.equal(jwt.IdentitySource, '$request.header.Authorization');
    assert.deepEqual(jwt.JwtConfiguration.issuer, { 'Fn::Sub': 'https://cognito-idp.${AWS::Region}.amazonaws.com/${UserPool}' });
    assert.deepEqual(jwt.JwtConfiguration.audience, [{ Ref: 'UserPoolClient' }]);
    // No route the template has is unknown to the code or the documents:
    // each is documented, or is POST /uploads (Lambda only, docs/DEPLOY.md).
    for (const r of routes) {
      const doc = openapi.paths[r.path]?.[r.method.toLowerCase()];
      if (!doc) {
        assert.deepEqual([r.method, r.path, r.fn], ['POST', '/uploads', 'InvoicesFunction']);
        assert.ok(!isOpen(r));
        assert.match(source('include/invoices/functions/upload_url.h'), /\{"POST", "\/uploads"\}/);
        continue;
      }
      const secured = (doc.security ?? openapi.security ?? []).length > 0;
      assert.equal(!isOpen(r), secured, `${r.method} ${r.path}: open in one, secured in the other`);
    }
  });

  test('the open routes are open, and the web page is not served by Lambda', () => {
    for (const [method, p] of [['GET', '/healthz'], ['GET', '/config.json']]) {
      const [r] = routeOf(method, p);
      assert.ok(r, `${method} ${p}`);
      assert.equal(r.fn, 'InvoicesFunction');
      assert.ok(isOpen(r), `${method} ${p} has Auth: Authorizer: NONE`);
      assert.deepEqual(openapi.paths[p].get.security, []);
    }
    assert.deepEqual(routes.filter(isOpen).map((r) => `${r.method} ${r.path}`).sort(), ['GET /config.json', 'GET /healthz']);
    assert.equal(routeOf('GET', '/').length + routeOf('GET', '/{path+}').length, 0);
  });

  test('the stage is throttled and logs every request as JSON', () => {
    const p = resources.HttpApi.Properties;
    assert.deepEqual(p.DefaultRouteSettings, {
      ThrottlingBurstLimit: { Ref: 'ThrottleBurstLimit' }, ThrottlingRateLimit: { Ref: 'ThrottleRateLimit' },
    });
    assert.deepEqual(p.AccessLogSettings.DestinationArn, { 'Fn::GetAtt': ['ApiAccessLogGroup', 'Arn'] });
    const line = JSON.parse(p.AccessLogSettings.Format.replace(/\$context\.[A-Za-z.]+/g, '0'));
    for (const field of ['requestId', 'routeKey', 'status', 'latency', 'sub']) assert.ok(field in line, field);
    assert.match(p.AccessLogSettings.Format, /"sub":"\$context\.authorizer\.claims\.sub"/);
    assert.ok(resources.ApiAccessLogGroup.Properties.RetentionInDays);
  });

  test('the bucket is private, encrypted, versioned and cleans up after itself', () => {
    const [[name, bucket], ...others] = ofType('AWS::S3::Bucket');
    assert.equal(others.length, 0);
    const p = bucket.Properties;
    assert.deepEqual(p.PublicAccessBlockConfiguration,
      { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
    assert.ok(['AES256', 'aws:kms', 'aws:kms:dsse'].includes(
      p.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm));
    assert.equal(p.VersioningConfiguration.Status, 'Enabled');
    assert.equal(bucket.DeletionPolicy, 'Retain');
    const rules = p.LifecycleConfiguration.Rules;
    assert.ok(rules.every((r) => r.Status === 'Enabled'));
    assert.ok(rules.some((r) => r.NoncurrentVersionExpiration?.NoncurrentDays));
    assert.ok(rules.some((r) => r.AbortIncompleteMultipartUpload?.DaysAfterInitiation));
    assert.ok(rules.some((r) => r.Prefix === 'uploads/' && r.ExpirationInDays));
    // TLS only.
    const policy = Object.values(resources).find((r) => r.Type === 'AWS::S3::BucketPolicy');
    assert.deepEqual(policy.Properties.Bucket, { Ref: name });
    assert.ok(policy.Properties.PolicyDocument.Statement.some((s) => s.Effect === 'Deny'
      && s.Condition?.Bool?.['aws:SecureTransport'] === 'false'));
    // The functions reach it by its computed name (a !Ref would close a
    // dependency cycle through the bucket's notification): the same one.
    const store = functions.SaveFunction.Properties.Environment.Variables.INVOICES_STORE;
    assert.deepEqual(store['Fn::Sub'][1], p.BucketName['Fn::Sub'][1]);
    assert.equal(store['Fn::Sub'][0], `s3://${p.BucketName['Fn::Sub'][0]}`);
  });

  test('IAM: no wildcard actions, no writes on *, and each function only what it needs', () => {
    const all = statements();
    assert.ok(all.length >= 10);
    const readOnly = (a) => /^[a-z0-9-]+:(Get|List|Describe|Head)/.test(a);
    for (const s of all.filter((x) => x.Effect === 'Allow')) {
      for (const a of list(s.Action)) {
        assert.ok(a !== '*' && !a.endsWith(':*'), `${s.where} ${s.Sid}: action ${a}`);
      }
      if (list(s.Resource).includes('*')) {
        assert.ok(list(s.Action).every(readOnly), `${s.where} ${s.Sid}: write actions on Resource *`);
      }
      assert.equal(s.NotAction, undefined);
      assert.equal(s.NotResource, undefined);
    }
    assert.deepEqual(s3Grants('ScanFunction'), []);
    assert.equal(functions.ScanFunction.Properties.Policies, undefined);
    assert.deepEqual(s3Grants('SaveFunction').sort(), [
      's3:DeleteObject /users/*', 's3:GetObject /users/*', 's3:ListBucket ', 's3:PutObject /users/*']);
    assert.deepEqual(s3Grants('InvoicesFunction').sort(), [
      's3:DeleteObject /users/*', 's3:GetObject /users/*', 's3:ListBucket ', 's3:PutObject /uploads/*',
      's3:PutObject /users/*']);
    assert.deepEqual(s3Grants('UploadFunction').sort(), [
      's3:DeleteObject /uploads/*', 's3:DeleteObject /users/*', 's3:GetObject /uploads/*', 's3:GetObject /users/*',
      's3:ListBucket ', 's3:PutObject /failed/*', 's3:PutObject /users/*']);
    // Listing only under the prefixes each function works in.
    for (const s of all.filter((x) => list(x.Action).includes('s3:ListBucket'))) {
      const prefixes = list(s.Condition?.StringLike?.['s3:prefix']);
      assert.ok(prefixes.length > 0, `${s.where}: ListBucket without a prefix condition`);
      assert.ok(prefixes.every((p) => ['users/*', 'uploads/*'].includes(p)), `${s.where}: ${prefixes}`);
    }
  });

  test('every function logs to a log group with a retention', () => {
    for (const [name, fn] of Object.entries(functions)) {
      const ref = fn.Properties.LoggingConfig?.LogGroup?.Ref;
      assert.ok(ref, `${name} has no LoggingConfig.LogGroup`);
      assert.equal(resources[ref]?.Type, 'AWS::Logs::LogGroup', `${name}: ${ref}`);
      assert.ok(resources[ref].Properties.RetentionInDays, `${ref} keeps logs forever`);
    }
    const groups = ofType('AWS::Logs::LogGroup');
    assert.equal(new Set(groups.map(([, g]) => JSON.stringify(g.Properties.LogGroupName))).size, groups.length);
  });

  test('uploads: the S3 event, retries, the failure queue, the URLs', () => {
    const fn = functions.UploadFunction.Properties;
    const events = Object.values(fn.Events);
    assert.equal(events.length, 1);
    const [e] = events;
    assert.equal(e.Type, 'S3');
    assert.deepEqual(e.Properties.Bucket, { Ref: 'DataBucket' });
    assert.match(list(e.Properties.Events).join(), /^s3:ObjectCreated:/);
    assert.deepEqual(e.Properties.Filter.S3Key.Rules, [{ Name: 'prefix', Value: 'uploads/' }]);
    assert.equal(fn.EventInvokeConfig.DestinationConfig.OnFailure.Type, 'SQS');
    for (const f of ['ScanFunction', 'SaveFunction', 'UploadFunction']) {
      assert.equal(functions[f].Properties.Environment.Variables.TESSDATA_PREFIX, '/var/task/share/tessdata', f);
    }
    assert.equal(functions.ScanFunction.Properties.Environment.Variables.INVOICES_STORE, undefined);
    // The bucket lets the web page PUT to the upload URLs.
    const cors = resources.DataBucket.Properties.CorsConfiguration.CorsRules;
    assert.deepEqual(cors[0].AllowedMethods, ['PUT']);
  });

  test('users: a Cognito pool with a password policy and an app client that signs in with a password', () => {
    const pool = resources.UserPool.Properties;
    assert.ok(pool.Policies.PasswordPolicy.MinimumLength >= 8);
    const client = resources.UserPoolClient.Properties;
    assert.deepEqual(client.UserPoolId, { Ref: 'UserPool' });
    assert.equal(client.GenerateSecret, false);
    assert.ok(client.ExplicitAuthFlows.includes('ALLOW_USER_PASSWORD_AUTH'));
    assert.ok(client.ExplicitAuthFlows.includes('ALLOW_REFRESH_TOKEN_AUTH'));
    const env = functions.InvoicesFunction.Properties.Environment.Variables;
    assert.deepEqual(env.INVOICES_AUTH_AUDIENCE, { Ref: 'UserPoolClient' });
  });

  test('alarms for 5xx, throttling, p99 latency and each function\'s errors, and a dashboard', () => {
    const alarms = ofType('AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);
    const metricsOf = (a) => [a, ...(a.Metrics ?? []).map((m) => m.MetricStat?.Metric ?? {})];
    const has = (pred) => alarms.some((a) => metricsOf(a).some(pred));
    assert.ok(has((m) => m.Namespace === 'AWS/ApiGateway' && m.MetricName === '5xx'), '5xx');
    assert.ok(alarms.some((a) => a.Metrics?.some((m) => /errors \/ requests/.test(m.Expression ?? ''))), '5xx as a rate');
    assert.ok(has((m) => m.MetricName === 'Throttled'), '429');
    assert.ok(has((m) => m.MetricName === 'Throttles'), 'Lambda throttles');
    assert.ok(alarms.some((a) => a.MetricName === 'Latency' && a.ExtendedStatistic === 'p99'), 'p99');
    for (const name of Object.keys(functions)) {
      assert.ok(alarms.some((a) => a.MetricName === 'Errors' && a.Dimensions?.some((d) => d.Value?.Ref === name)),
        `an Errors alarm for ${name}`);
    }
    assert.ok(alarms.every((a) => a.AlarmActions?.length), 'every alarm notifies');
    const filter = ofType('AWS::Logs::MetricFilter')[0][1].Properties;
    assert.equal(filter.FilterPattern, '{ $.status = 429 }');
    const [[, dashboard]] = ofType('AWS::CloudWatch::Dashboard');
    const body = JSON.parse(dashboard.Properties.DashboardBody['Fn::Sub']);
    assert.ok(body.widgets.length >= 4);
  });

  test('a custom domain only when DomainName is given', () => {
    for (const type of ['AWS::CertificateManager::Certificate', 'AWS::ApiGatewayV2::DomainName',
      'AWS::ApiGatewayV2::ApiMapping', 'AWS::Route53::RecordSet']) {
      const found = ofType(type);
      assert.equal(found.length, 1, type);
      assert.equal(found[0][1].Condition, 'HasDomain', type);
    }
    assert.equal(resources.Certificate.Properties.ValidationMethod, 'DNS');
    assert.deepEqual(template.Conditions.HasDomain, { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'DomainName' }, ''] }] });
    for (const o of ['ApiUrl', 'UserPoolId', 'UserPoolClientId', 'BucketName']) assert.ok(template.Outputs[o], o);
  });
});

// ---------------------------------------------------------------------------
// The package and the real binary in it.

const receipt = readFileSync(path.join(devImages, 'X00016469612.jpg'));
const fixture = (p) => JSON.parse(source(`tests/fixtures/${p}`));

describe('the Lambda package (scripts/package-lambda)', { skip: existsSync(bin) ? false : `no binary at ${bin} (make build)` }, () => {
  let dir; let pkg; let report;
  before(() => {
    dir = tempDir('invoices-lambda-');
    const r = spawnSync(path.join(repo, 'scripts', 'package-lambda'),
      ['--bin', bin, '--out', path.join(dir, 'package'), '--zip', path.join(dir, 'lambda.zip')],
      { encoding: 'utf8', maxBuffer: 16 << 20 });
    report = r.stdout + r.stderr;
    assert.equal(r.status, 0, report);
    pkg = path.join(dir, 'unzipped');
    mkdirSync(pkg);
    const u = spawnSync('unzip', ['-q', path.join(dir, 'lambda.zip'), '-d', pkg], { encoding: 'utf8' });
    assert.equal(u.status, 0, u.stderr);
  });
  // About 250 MB: the package, its zip and the zip unpacked.
  after(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

  test('is within Lambda\'s limits and says what it measured', (t) => {
    const zipped = Number(report.match(/^zipped: +(\d+) bytes/m)[1]);
    const unzipped = Number(report.match(/^unzipped: +(\d+) bytes/m)[1]);
    assert.equal(zipped, statSync(path.join(dir, 'lambda.zip')).size);
    assert.ok(zipped <= 50 * 1024 * 1024, `${zipped} bytes zipped`);
    assert.ok(unzipped <= 250 * 1024 * 1024, `${unzipped} bytes unzipped`);
    assert.match(report, /bin\/invoices: GLIBC_2\.\d+/);
    t.diagnostic(`zip ${(zipped / 1048576).toFixed(1)} MB, unzipped ${(unzipped / 1048576).toFixed(1)} MB`);
    for (const f of ['bootstrap', 'bin/invoices', 'share/tessdata/eng.traineddata', 'etc/ca-certificates.crt', 'lib/libc.so.6']) {
      assert.ok(existsSync(path.join(pkg, f)), f);
    }
    assert.ok(statSync(path.join(pkg, 'bootstrap')).mode & 0o111, 'bootstrap is executable in the zip');
  });

  test('bootstrap starts with only the zip\'s libraries', () => {
    const r = spawnSync('env', ['-i', `LD_LIBRARY_PATH=${pkg}/lib`, `${pkg}/bootstrap`], { encoding: 'utf8' });
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /AWS_LAMBDA_RUNTIME_API is not set/);
    assert.doesNotMatch(r.stderr, /error while loading shared libraries|not found/);
    // Every shared object the process initialises after the shell has
    // exec'd the package's loader is the package's own.
    const d = spawnSync('env', ['-i', 'LD_DEBUG=libs', `${pkg}/bootstrap`], { encoding: 'utf8', maxBuffer: 16 << 20 });
    const lines = d.stderr.split('\n');
    const start = lines.findIndex((l) => /initialize program: \/bin\/sh/.test(l) || /initialize program: .*\bsh$/.test(l));
    assert.ok(start >= 0, 'the shell ran');
    const inits = lines.slice(start + 1).filter((l) => l.includes('calling init:')).map((l) => l.split('calling init: ')[1].trim());
    assert.ok(inits.length > 50, `only ${inits.length} libraries initialised`);
    const foreign = inits.filter((f) => !f.startsWith(`${pkg}/lib/`));
    assert.deepEqual(foreign, []);
    assert.ok(inits.includes(`${pkg}/lib/libc.so.6`));
    assert.ok(inits.includes(`${pkg}/lib/libtesseract.so.5`));
  });

  describe('answers Lambda through a fake Runtime API', () => {
    const sub = '7d8ca528-4931-4254-9273-ea5ee853f271'; // the fixtures' user
    let store;
    const running = [];
    // bootstrap as Lambda starts it: nothing but its settings in the
    // environment.
    async function start(handler, env = {}) {
      const runtime = await startFakeRuntime();
      const proc = startRuntimeProcess(path.join(pkg, 'bootstrap'), [], runtime,
        { _HANDLER: handler, INVOICES_STORE: `file://${store}`, ...env });
      running.push({ runtime, proc });
      const first = await Promise.race([runtime.firstNext(), proc.exited.then(() => null)]);
      assert.ok(first, `${handler} exited before asking for work: ${proc.stderr()}`);
      return { runtime, proc, coldStartMs: Number(first - proc.startedAt) / 1e6 };
    }
    const http = (posted) => {
      assert.equal(posted.kind, 'response', posted.body);
      const r = JSON.parse(posted.body);
      return { ...r, json: r.headers?.['content-type']?.startsWith('application/json') ? JSON.parse(r.body) : undefined };
    };

    before(() => { store = tempDir('invoices-lambda-store-'); });
    after(async () => {
      for (const { runtime, proc } of running) {
        await proc.stop();
        await runtime.close();
      }
    });

    test('invoices: health, configuration and an empty list', async (t) => {
      const { runtime, coldStartMs } = await start('invoices', {
        INVOICES_AUTH_ISSUER: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Ab12Cd34E',
        INVOICES_AUTH_AUDIENCE: '4hs8e2mplk3fgeq1pc1ufk2l0',
      });
      t.diagnostic(`cold start (process start to the first GET next): ${coldStartMs.toFixed(1)} ms`);
      const health = http(await runtime.invoke(fixture('apigw-v2/get-healthz.json')));
      assert.equal(health.statusCode, 200);
      assert.deepEqual(health.json, { status: 'ok' });

      const configEvent = fixture('apigw-v2/get-healthz.json');
      configEvent.routeKey = configEvent.requestContext.routeKey = 'GET /config.json';
      configEvent.rawPath = configEvent.requestContext.http.path = '/config.json';
      const config = http(await runtime.invoke(configEvent));
      assert.equal(config.statusCode, 200);
      assert.deepEqual(config.json, {
        auth: {
          issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Ab12Cd34E',
          endpoint: 'https://cognito-idp.eu-west-1.amazonaws.com/',
          region: 'eu-west-1',
          clientId: '4hs8e2mplk3fgeq1pc1ufk2l0',
        },
        api: { endpoint: 'https://r3pmxmplak.execute-api.us-east-1.amazonaws.com' },
      });

      const list = http(await runtime.invoke(fixture('apigw-v2/get-invoices-jwt.json')));
      assert.equal(list.statusCode, 200, list.body);
      assert.deepEqual(list.json, { items: [] });

      // POST /uploads on a folder store: no URLs to hand out, said so.
      const uploadEvent = fixture('apigw-v2/get-invoices-jwt.json');
      Object.assign(uploadEvent, { routeKey: 'POST /uploads', rawPath: '/uploads', rawQueryString: '' });
      delete uploadEvent.queryStringParameters;
      uploadEvent.requestContext.http.method = 'POST';
      uploadEvent.requestContext.http.path = '/uploads';
      const upload = http(await runtime.invoke(uploadEvent));
      assert.equal(upload.statusCode, 503, upload.body);
      assert.equal(upload.json.error.code, 'unavailable');
    });

    test('scan: a receipt read with real OCR', async (t) => {
      const { runtime, coldStartMs } = await start('scan');
      t.diagnostic(`cold start with the OCR engine loaded: ${coldStartMs.toFixed(1)} ms`);
      const event = fixture('apigw-v2/post-scan-base64.json');
      event.body = receipt.toString('base64');
      event.headers['content-type'] = 'image/jpeg';
      event.headers['content-length'] = String(receipt.length);
      const r = http(await runtime.invoke(event));
      assert.equal(r.statusCode, 200, r.body);
      assert.equal(r.json.document.mime, 'image/jpeg');
      assert.ok(r.json.text.length > 20);
      assert.ok(r.json.fields.total, JSON.stringify(r.json.fields));

      // The same request through `invoices serve` answers the same: one
      // handler behind two transports (timings aside).
      const server = await startServer(['--store', `file://${tempDir('invoices-parity-')}`]);
      try {
        const user = await newUser(server.url);
        const served = await fetch(`${server.url}/scan`, {
          method: 'POST', body: receipt,
          headers: { ...user.headers, 'content-type': 'image/jpeg' },
        });
        assert.equal(served.status, r.statusCode);
        assert.equal(served.headers.get('content-type'), r.headers['content-type']);
        const json = await served.json();
        const strip = ({ timings_ms, ...rest }) => rest;
        assert.deepEqual(strip(json), strip(r.json));
      } finally {
        await server.stop();
      }
    });

    test('s3-upload: an S3 event becomes the user\'s invoice, which the invoices function lists', async () => {
      const event = fixture('s3/upload-created.json');
      const key = decodeURIComponent(event.Records[0].s3.object.key.replace(/\+/g, ' '));
      assert.equal(key, `uploads/${sub}/01HZX3K6W8Q9T2V4B7N5M0C1DE/shop receipt (1).jpg`);
      mkdirSync(path.join(store, path.dirname(key)), { recursive: true });
      writeFileSync(path.join(store, key), receipt);

      const { runtime } = await start('s3-upload');
      const first = await runtime.invoke(event);
      assert.equal(first.kind, 'response', first.body);
      const [result] = JSON.parse(first.body).results;
      assert.equal(result.outcome, 'saved', first.body);
      assert.equal(result.sub, sub);
      assert.ok(!existsSync(path.join(store, key)), 'the upload is deleted');
      // Delivered again (S3 delivers at least once): nothing more.
      const again = await runtime.invoke(event);
      assert.equal(JSON.parse(again.body).results[0].outcome, 'gone');

      const { runtime: api } = await start('invoices');
      const list = http(await api.invoke(fixture('apigw-v2/get-invoices-jwt.json')));
      assert.equal(list.statusCode, 200, list.body);
      // The fixture filters by vendor "acme": nothing of this shop.
      assert.deepEqual(list.json.items, []);
      const all = fixture('apigw-v2/get-invoices-jwt.json');
      all.rawQueryString = '';
      delete all.queryStringParameters;
      const listed = http(await api.invoke(all));
      assert.equal(listed.json.items.length, 1, listed.body);
      assert.equal(listed.json.items[0].id, result.invoice_id);
      const getEvent = fixture('apigw-v2/get-invoice-stage.json');
      getEvent.requestContext.authorizer = all.requestContext.authorizer;
      getEvent.rawPath = getEvent.rawPath.replace(/[^/]+$/, result.invoice_id);
      getEvent.requestContext.http.path = getEvent.rawPath;
      if (getEvent.pathParameters) getEvent.pathParameters.id = result.invoice_id;
      const got = http(await api.invoke(getEvent));
      assert.equal(got.statusCode, 200, got.body);
      assert.equal(got.json.picture.bytes, receipt.length);
      assert.equal(got.json.picture.content_type, 'image/jpeg');
    });
  });
});
