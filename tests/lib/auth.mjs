// Signing up and in through the Cognito Identity Provider JSON protocol, as
// the web page and the AWS SDK do.
export async function cognito(endpoint, action, body) {
  const res = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': `AWSCognitoIdentityProviderService.${action}`,
    },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

let counter = 0;
// A new user of the built-in pool of the server at `url`; resolves its tokens.
export async function newUser(url, name = `user${process.pid}x${++counter}`) {
  const config = await (await fetch(`${url}/config.json`)).json();
  const { endpoint, clientId } = config.auth;
  const password = 'Correct-horse-7';
  const up = await cognito(endpoint, 'SignUp', {
    ClientId: clientId, Username: name, Password: password,
    UserAttributes: [{ Name: 'email', Value: `${name}@example.com` }],
  });
  if (up.status !== 200) throw new Error(`SignUp: ${JSON.stringify(up.json)}`);
  const auth = await cognito(endpoint, 'InitiateAuth', {
    ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH',
    AuthParameters: { USERNAME: name, PASSWORD: password },
  });
  if (auth.status !== 200) throw new Error(`InitiateAuth: ${JSON.stringify(auth.json)}`);
  const r = auth.json.AuthenticationResult;
  return { name, password, sub: up.json.UserSub, idToken: r.IdToken, accessToken: r.AccessToken,
    refreshToken: r.RefreshToken, headers: { authorization: `Bearer ${r.IdToken}` } };
}
