// Sign-in through the Amazon Cognito Identity Provider JSON protocol (AWS JSON 1.1), so the same
// page works with the built-in user pool of `invoices serve` and with a real Cognito user pool
// (an app client without a secret, USER_PASSWORD_AUTH enabled).
import { jwtClaims } from './util.js';

const STORAGE_KEY = 'invoices.session.v1';
// Tokens are refreshed this long before they expire.
const REFRESH_MARGIN_MS = 60_000;

export class CognitoError extends Error {
  constructor(type, message, status) {
    super(message || type);
    this.type = type;
    this.status = status;
  }
}

// Messages for the errors a person can do something about; others show Cognito's own message.
const FRIENDLY = {
  NotAuthorizedException: 'Wrong email or password.',
  UserNotFoundException: 'Wrong email or password.',
  UsernameExistsException: 'An account with this email already exists. Sign in instead.',
  TooManyRequestsException: 'Too many attempts. Wait a minute and try again.',
  LimitExceededException: 'Too many attempts. Wait a minute and try again.',
  TooManyFailedAttemptsException: 'Too many attempts. Wait a minute and try again.',
  CodeMismatchException: 'That code is not right. Check it and try again.',
  ExpiredCodeException: 'That code has expired. Ask for a new one.',
};

export function friendlyAuthError(err) {
  if (err instanceof CognitoError) {
    if (err.type === 'InvalidPasswordException' || err.type === 'InvalidParameterException') return err.message;
    return FRIENDLY[err.type] ?? err.message;
  }
  return 'Cannot reach the sign-in service. Check your connection and try again.';
}

export class Auth {
  // config: {endpoint?, region?, clientId}. onSignInRequired(): a promise that resolves once the
  // person has signed in again (the page shows its sign-in dialog and keeps everything else).
  constructor(config, { onChange = () => {}, onSignInRequired = null } = {}) {
    this.endpoint = config.endpoint || `https://cognito-idp.${config.region}.amazonaws.com/`;
    this.clientId = config.clientId;
    this.onChange = onChange;
    this.onSignInRequired = onSignInRequired;
    this.session = null; // {username, idToken, accessToken, refreshToken, expiresAt}
    this.refreshing = null;
    this.timer = 0;
    try {
      const saved = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? 'null');
      if (saved?.refreshToken && saved.clientId === this.clientId) this.session = saved;
    } catch { /* no storage: stay signed out */ }
  }

  get signedIn() { return !!this.session; }
  get username() { return this.session?.username ?? ''; }
  get email() {
    const c = jwtClaims(this.session?.idToken ?? '');
    return c.email ?? c['cognito:username'] ?? this.username;
  }
  get sub() { return jwtClaims(this.session?.idToken ?? '').sub ?? ''; }

  async call(action, body) {
    let res;
    try {
      res = await fetch(this.endpoint, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/x-amz-json-1.1',
          'X-Amz-Target': `AWSCognitoIdentityProviderService.${action}`,
        },
        body: JSON.stringify(body),
        cache: 'no-store',
      });
    } catch (e) {
      throw new CognitoError('NetworkError', e.message, 0);
    }
    const text = await res.text();
    let json = {};
    try { json = text ? JSON.parse(text) : {}; } catch { /* not JSON */ }
    if (!res.ok) {
      // "__type" may be qualified ("com.amazonaws...#NotAuthorizedException").
      const raw = json.__type || res.headers.get('x-amzn-ErrorType') || `HTTP${res.status}`;
      const type = raw.split('#').pop().split(':')[0];
      throw new CognitoError(type, json.message || json.Message || text.slice(0, 200), res.status);
    }
    return json;
  }

  // -> {confirmed}: false when the pool sends a code that ConfirmSignUp needs.
  async signUp(email, password) {
    const r = await this.call('SignUp', {
      ClientId: this.clientId, Username: email, Password: password,
      UserAttributes: [{ Name: 'email', Value: email }],
    });
    return { confirmed: r.UserConfirmed !== false };
  }

  async confirmSignUp(email, code) {
    await this.call('ConfirmSignUp', { ClientId: this.clientId, Username: email, ConfirmationCode: code.trim() });
  }

  async signIn(email, password) {
    const r = await this.call('InitiateAuth', {
      AuthFlow: 'USER_PASSWORD_AUTH', ClientId: this.clientId,
      AuthParameters: { USERNAME: email, PASSWORD: password },
    });
    if (!r.AuthenticationResult) {
      throw new CognitoError(r.ChallengeName || 'ChallengeRequired',
        `This account needs a step this page does not offer (${r.ChallengeName}).`, 200);
    }
    const previous = this.sub;
    this.store(r.AuthenticationResult, email);
    return { sameUser: !previous || previous === this.sub };
  }

  // Gets fresh ID and access tokens with the refresh token; one refresh at a time.
  refresh() {
    if (!this.session?.refreshToken) return Promise.reject(new CognitoError('NotAuthorizedException', 'Signed out.', 400));
    this.refreshing ??= this.call('InitiateAuth', {
      AuthFlow: 'REFRESH_TOKEN_AUTH', ClientId: this.clientId,
      AuthParameters: { REFRESH_TOKEN: this.session.refreshToken },
    }).then((r) => {
      this.store(r.AuthenticationResult, this.session.username);
    }).finally(() => { this.refreshing = null; });
    return this.refreshing;
  }

  store(result, username) {
    this.session = {
      clientId: this.clientId,
      username,
      idToken: result.IdToken,
      accessToken: result.AccessToken,
      // Cognito sends a refresh token only with the password flow.
      refreshToken: result.RefreshToken || this.session?.refreshToken,
      expiresAt: Date.now() + (Number(result.ExpiresIn) || 3600) * 1000,
    };
    try { localStorage.setItem(STORAGE_KEY, JSON.stringify(this.session)); } catch { /* private mode */ }
    this.schedule();
    this.onChange(this);
  }

  // Refreshes ahead of expiry, so that work in progress never meets an expired token.
  schedule() {
    clearTimeout(this.timer);
    if (!this.session) return;
    const wait = Math.max(5_000, this.session.expiresAt - Date.now() - REFRESH_MARGIN_MS);
    this.timer = setTimeout(() => this.refresh().catch(() => {}), Math.min(wait, 2 ** 31 - 1));
  }

  // A token for the API: the ID token (it carries aud = the app client id and the email).
  async token() {
    // Signed out on purpose: requests still under way just stop.
    if (!this.session) throw new CognitoError('SignedOut', 'Signed out.', -1);
    if (Date.now() > this.session.expiresAt - REFRESH_MARGIN_MS / 2) {
      try { await this.refresh(); } catch { await this.reauthenticate(); }
    }
    return this.session.idToken;
  }

  // After a 401: refresh once; if that fails, ask the person to sign in again.
  async recover(rejectedToken) {
    if (this.session && this.session.idToken !== rejectedToken) return; // already renewed
    try {
      await this.refresh();
    } catch {
      await this.reauthenticate();
    }
  }

  async reauthenticate() {
    if (!this.onSignInRequired) throw new CognitoError('NotAuthorizedException', 'Signed out.', 401);
    this.reauth ??= this.onSignInRequired().finally(() => { this.reauth = null; });
    await this.reauth;
  }

  // Ends the session here and, best effort, everywhere (GlobalSignOut revokes the refresh tokens).
  async signOut() {
    const s = this.session;
    this.clear();
    if (s?.accessToken) await this.call('GlobalSignOut', { AccessToken: s.accessToken }).catch(() => {});
  }

  clear() {
    clearTimeout(this.timer);
    this.session = null;
    try { localStorage.removeItem(STORAGE_KEY); } catch { /* ignore */ }
    this.onChange(this);
  }
}
