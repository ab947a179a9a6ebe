#include "invoices/functions/cognito.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <string>

#include "invoices/auth/verifier.h"

namespace invoices::functions {
namespace {

using auth::ManualClock;
using core::Json;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::Not;

constexpr int64_t kNow = 1'700'000'000;
constexpr const char* kPassword = "Passw0rd!";

const std::string& SharedKeyPem() {
  static const std::string pem = *auth::PrivateKey::Generate()->ToPem();
  return pem;
}

// A memory store that fails every call while `failing` is set.
class FlakyStore final : public store::ObjectStore {
 public:
  std::atomic<bool> failing{false};

  core::Result<store::ObjectInfo> Put(std::string_view key,
                                      std::string_view bytes,
                                      const store::PutOptions& o) override {
    if (failing) return core::Unavailable("s3 bucket secret-bucket is down");
    return inner_->Put(key, bytes, o);
  }
  core::Result<store::Object> Get(
      std::string_view key, std::optional<store::ByteRange> range) override {
    if (failing) return core::Unavailable("s3 bucket secret-bucket is down");
    return inner_->Get(key, range);
  }
  core::Result<store::ObjectInfo> Head(std::string_view key) override {
    return inner_->Head(key);
  }
  core::Status Delete(std::string_view key) override {
    return inner_->Delete(key);
  }
  core::Result<store::ListPage> List(std::string_view prefix,
                                     std::string_view token,
                                     int max_keys) override {
    return inner_->List(prefix, token, max_keys);
  }
  core::Result<std::string> PresignGet(std::string_view key,
                                       std::chrono::seconds expiry) override {
    return inner_->PresignGet(key, expiry);
  }

 private:
  std::unique_ptr<store::ObjectStore> inner_ = store::NewMemoryStore();
};

class CognitoFunctionTest : public ::testing::Test {
 protected:
  void SetUp() override { MakePool(Options()); }

  static auth::UserPoolOptions Options() {
    auth::UserPoolOptions options;
    options.issuer = "http://127.0.0.1:8080";
    options.argon2 = {.memory_kib = 8, .iterations = 1};
    return options;
  }

  void MakePool(auth::UserPoolOptions options) {
    function_.reset();
    pool_.reset();
    store_ = std::make_unique<FlakyStore>();
    ASSERT_TRUE(store_->Put("auth/signing-key.pem", SharedKeyPem(), {}));
    auto pool =
        auth::UserPool::Create(*store_, std::move(options), clock_.AsClock());
    ASSERT_TRUE(pool);
    pool_ = std::move(*pool);
    function_ = std::make_unique<CognitoFunction>(*pool_);
  }

  // A request as the AWS SDK sends it.
  static HttpRequest Request(std::string_view action, const Json& body) {
    HttpRequest r;
    r.route_key = "POST /cognito/";
    r.method = "POST";
    r.raw_path = "/cognito/";
    r.headers["x-amz-target"] =
        "AWSCognitoIdentityProviderService." + std::string(action);
    r.headers["content-type"] = "application/x-amz-json-1.1";
    r.headers["x-amz-user-agent"] = "aws-sdk-js/3.0.0";
    r.body = body.dump();
    r.request_id = "req-1";
    r.source_ip = "198.51.100.7";
    return r;
  }

  HttpResponse Call(std::string_view action, const Json& body) {
    return (*function_)(Request(action, body));
  }

  // The body of a 200 answer.
  Json Ok(std::string_view action, const Json& body) {
    const HttpResponse r = Call(action, body);
    EXPECT_EQ(r.status, 200) << action << ": " << r.body;
    EXPECT_EQ(r.headers.at("content-type"), "application/x-amz-json-1.1");
    return Json::parse(r.body, nullptr, false);
  }

  // Expects a Cognito error of `type`; returns its message.
  static std::string ExpectError(const HttpResponse& r, const std::string& type,
                                 int status = 400) {
    EXPECT_EQ(r.status, status) << r.body;
    EXPECT_EQ(r.headers.count("x-amzn-ErrorType")
                  ? r.headers.at("x-amzn-ErrorType")
                  : "",
              type);
    const Json body = Json::parse(r.body, nullptr, false);
    EXPECT_EQ(body.value("__type", ""), type) << r.body;
    EXPECT_TRUE(body.contains("message"));
    return body.value("message", "");
  }

  Json SignUpBody(std::string_view name,
                  std::string_view password = kPassword) {
    return {
        {"ClientId", pool_->client_id()},
        {"Username", name},
        {"Password", password},
        {"UserAttributes",
         {{{"Name", "email"}, {"Value", std::string(name) + "@example.com"}}}}};
  }

  Json PasswordAuth(std::string_view name,
                    std::string_view password = kPassword) {
    return {{"AuthFlow", "USER_PASSWORD_AUTH"},
            {"ClientId", pool_->client_id()},
            {"AuthParameters", {{"USERNAME", name}, {"PASSWORD", password}}}};
  }

  // Signs `name` up and in; returns the AuthenticationResult.
  Json SignedIn(std::string_view name) {
    Ok("SignUp", SignUpBody(name));
    return Ok("InitiateAuth", PasswordAuth(name))["AuthenticationResult"];
  }

  ManualClock clock_{kNow};
  std::unique_ptr<FlakyStore> store_;
  std::unique_ptr<auth::UserPool> pool_;
  std::unique_ptr<CognitoFunction> function_;
};

TEST_F(CognitoFunctionTest, SignUpAnswersLikeCognito) {
  const HttpResponse r = Call("SignUp", SignUpBody("alice"));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.headers.at("x-amzn-RequestId"), "req-1");
  const Json body = Json::parse(r.body);
  EXPECT_EQ(body["UserConfirmed"], true);
  EXPECT_THAT(body["UserSub"].get<std::string>(),
              MatchesRegex("[0-9a-f-]{36}"));
  EXPECT_FALSE(body.contains("CodeDeliveryDetails"));

  EXPECT_EQ(ExpectError(Call("SignUp", SignUpBody("Alice")),
                        "UsernameExistsException"),
            "User already exists");
  EXPECT_THAT(ExpectError(Call("SignUp", SignUpBody("bob", "weak")),
                          "InvalidPasswordException"),
              HasSubstr("Password did not conform with policy"));
  EXPECT_THAT(ExpectError(Call("SignUp", SignUpBody("bad name")),
                          "InvalidParameterException"),
              HasSubstr("username"));
  Json unknown_attr = SignUpBody("carol");
  unknown_attr["UserAttributes"] = {{{"Name", "custom:x"}, {"Value", "1"}}};
  EXPECT_EQ(
      ExpectError(Call("SignUp", unknown_attr), "InvalidParameterException"),
      "Attribute does not exist in the schema.");
  Json dup = SignUpBody("carol");
  dup["UserAttributes"].push_back({{"Name", "email"}, {"Value", "x@y.z"}});
  ExpectError(Call("SignUp", dup), "InvalidParameterException");
  Json no_attrs = SignUpBody("dave");
  no_attrs.erase("UserAttributes");
  Ok("SignUp", no_attrs);
}

TEST_F(CognitoFunctionTest, InitiateAuthWithPasswordAndRefreshToken) {
  Ok("SignUp", SignUpBody("alice"));
  const Json body = Ok("InitiateAuth", PasswordAuth("alice"));
  EXPECT_EQ(body["ChallengeParameters"], Json::object());
  const Json& result = body["AuthenticationResult"];
  EXPECT_EQ(result["ExpiresIn"], 3600);
  EXPECT_EQ(result["TokenType"], "Bearer");
  ASSERT_TRUE(result["RefreshToken"].is_string());

  // The tokens are good at the API.
  auto keys = pool_->NewKeySource();
  auth::TokenVerifier verifier(pool_->verifier_options(), *keys,
                               clock_.AsClock());
  auto id = verifier.Verify(result["IdToken"].get<std::string>());
  auto access = verifier.Verify(result["AccessToken"].get<std::string>());
  ASSERT_TRUE(id && access);
  EXPECT_EQ(id->json["email"], "alice@example.com");
  EXPECT_EQ(access->json["username"], "alice");

  for (const char* flow : {"REFRESH_TOKEN_AUTH", "REFRESH_TOKEN"}) {
    const Json refreshed =
        Ok("InitiateAuth",
           {{"AuthFlow", flow},
            {"ClientId", pool_->client_id()},
            {"AuthParameters", {{"REFRESH_TOKEN", result["RefreshToken"]}}}});
    const Json& again = refreshed["AuthenticationResult"];
    EXPECT_TRUE(again["AccessToken"].is_string());
    EXPECT_TRUE(again["IdToken"].is_string());
    EXPECT_FALSE(again.contains("RefreshToken"));
    EXPECT_EQ(again["ExpiresIn"], 3600);
  }
  EXPECT_EQ(ExpectError(Call("InitiateAuth",
                             {{"AuthFlow", "REFRESH_TOKEN_AUTH"},
                              {"ClientId", pool_->client_id()},
                              {"AuthParameters", {{"REFRESH_TOKEN", "junk"}}}}),
                        "NotAuthorizedException"),
            "Invalid Refresh Token");
}

TEST_F(CognitoFunctionTest, SignInFailuresDoNotRevealUsers) {
  Ok("SignUp", SignUpBody("alice"));
  const HttpResponse wrong =
      Call("InitiateAuth", PasswordAuth("alice", "Wr0ng!pass"));
  const HttpResponse unknown = Call("InitiateAuth", PasswordAuth("nobody"));
  EXPECT_EQ(ExpectError(wrong, "NotAuthorizedException"),
            "Incorrect username or password.");
  EXPECT_EQ(wrong.body, unknown.body);
}

TEST_F(CognitoFunctionTest, InitiateAuthValidation) {
  Json no_password = PasswordAuth("alice");
  no_password["AuthParameters"].erase("PASSWORD");
  EXPECT_EQ(ExpectError(Call("InitiateAuth", no_password),
                        "InvalidParameterException"),
            "Missing required parameter PASSWORD");
  Json no_params = PasswordAuth("alice");
  no_params.erase("AuthParameters");
  EXPECT_EQ(
      ExpectError(Call("InitiateAuth", no_params), "InvalidParameterException"),
      "Missing required parameter USERNAME");
  Json srp = PasswordAuth("alice");
  srp["AuthFlow"] = "USER_SRP_AUTH";
  EXPECT_THAT(
      ExpectError(Call("InitiateAuth", srp), "InvalidParameterException"),
      HasSubstr("USER_SRP_AUTH flow not enabled"));
  Json bogus = PasswordAuth("alice");
  bogus["AuthFlow"] = "MAGIC";
  EXPECT_THAT(
      ExpectError(Call("InitiateAuth", bogus), "InvalidParameterException"),
      HasSubstr("authFlow"));
  Json no_flow = PasswordAuth("alice");
  no_flow.erase("AuthFlow");
  EXPECT_THAT(
      ExpectError(Call("InitiateAuth", no_flow), "InvalidParameterException"),
      HasSubstr("'authFlow'"));
  Json params_list = PasswordAuth("alice");
  params_list["AuthParameters"] = Json::array();
  ExpectError(Call("InitiateAuth", params_list), "SerializationException");
}

TEST_F(CognitoFunctionTest, ClientIdMustBeThePools) {
  Json wrong = PasswordAuth("alice");
  wrong["ClientId"] = "abcdefghijklmnopqrstuvwxyz";
  EXPECT_EQ(
      ExpectError(Call("InitiateAuth", wrong), "ResourceNotFoundException"),
      "User pool client abcdefghijklmnopqrstuvwxyz does not exist.");
  Json missing = SignUpBody("alice");
  missing.erase("ClientId");
  EXPECT_THAT(ExpectError(Call("SignUp", missing), "InvalidParameterException"),
              HasSubstr("'clientId'"));
  Json malformed = SignUpBody("alice");
  malformed["ClientId"] = "<script>";
  EXPECT_THAT(
      ExpectError(Call("SignUp", malformed), "InvalidParameterException"),
      Not(HasSubstr("<script>")));
  for (const char* action :
       {"ConfirmSignUp", "ForgotPassword", "RevokeToken",
        "ResendConfirmationCode", "ConfirmForgotPassword"}) {
    ExpectError(Call(action, {{"ClientId", "nope"}, {"Username", "a"}}),
                "ResourceNotFoundException");
  }
}

TEST_F(CognitoFunctionTest, GetUser) {
  const Json tokens = SignedIn("alice");
  const Json user = Ok("GetUser", {{"AccessToken", tokens["AccessToken"]}});
  EXPECT_EQ(user["Username"], "alice");
  const Json expected_names = {"sub", "email_verified", "email"};
  ASSERT_EQ(user["UserAttributes"].size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(user["UserAttributes"][i]["Name"], expected_names[i]);
    EXPECT_TRUE(user["UserAttributes"][i]["Value"].is_string());
  }
  EXPECT_EQ(user["UserAttributes"][1]["Value"], "false");
  EXPECT_EQ(user["UserAttributes"][2]["Value"], "alice@example.com");

  EXPECT_EQ(ExpectError(Call("GetUser", {{"AccessToken", tokens["IdToken"]}}),
                        "NotAuthorizedException"),
            "Invalid Access Token");
  EXPECT_THAT(
      ExpectError(Call("GetUser", Json::object()), "InvalidParameterException"),
      HasSubstr("'accessToken'"));
  clock_.Advance(3600);
  EXPECT_EQ(
      ExpectError(Call("GetUser", {{"AccessToken", tokens["AccessToken"]}}),
                  "NotAuthorizedException"),
      "Access Token has expired");
}

TEST_F(CognitoFunctionTest, ChangePassword) {
  const Json tokens = SignedIn("alice");
  EXPECT_EQ(ExpectError(
                Call("ChangePassword", {{"AccessToken", tokens["AccessToken"]},
                                        {"PreviousPassword", "Wr0ng!pass"},
                                        {"ProposedPassword", "N3w-Passw0rd"}}),
                "NotAuthorizedException"),
            "Incorrect username or password.");
  ExpectError(Call("ChangePassword", {{"AccessToken", tokens["AccessToken"]},
                                      {"PreviousPassword", kPassword},
                                      {"ProposedPassword", "weak"}}),
              "InvalidPasswordException");
  EXPECT_EQ(Ok("ChangePassword", {{"AccessToken", tokens["AccessToken"]},
                                  {"PreviousPassword", kPassword},
                                  {"ProposedPassword", "N3w-Passw0rd"}}),
            Json::object());
  ExpectError(Call("InitiateAuth", PasswordAuth("alice")),
              "NotAuthorizedException");
  Ok("InitiateAuth", PasswordAuth("alice", "N3w-Passw0rd"));
  ExpectError(
      Call("InitiateAuth",
           {{"AuthFlow", "REFRESH_TOKEN_AUTH"},
            {"ClientId", pool_->client_id()},
            {"AuthParameters", {{"REFRESH_TOKEN", tokens["RefreshToken"]}}}}),
      "NotAuthorizedException");
}

TEST_F(CognitoFunctionTest, GlobalSignOutAndRevokeToken) {
  const Json first = SignedIn("alice");
  const Json second =
      Ok("InitiateAuth", PasswordAuth("alice"))["AuthenticationResult"];
  EXPECT_EQ(Ok("RevokeToken", {{"ClientId", pool_->client_id()},
                               {"Token", first["RefreshToken"]}}),
            Json::object());
  EXPECT_EQ(
      ExpectError(Call("GetUser", {{"AccessToken", first["AccessToken"]}}),
                  "NotAuthorizedException"),
      "Access Token has been revoked");
  Ok("GetUser", {{"AccessToken", second["AccessToken"]}});
  ExpectError(Call("RevokeToken", {{"ClientId", pool_->client_id()},
                                   {"Token", second["AccessToken"]}}),
              "UnsupportedTokenTypeException");

  EXPECT_EQ(Ok("GlobalSignOut", {{"AccessToken", second["AccessToken"]}}),
            Json::object());
  EXPECT_EQ(
      ExpectError(Call("GetUser", {{"AccessToken", second["AccessToken"]}}),
                  "NotAuthorizedException"),
      "Access Token has been revoked");
  ExpectError(Call("GlobalSignOut", {{"AccessToken", second["AccessToken"]}}),
              "NotAuthorizedException");
}

TEST_F(CognitoFunctionTest, CodeFlowsExplainThatThereIsNoMail) {
  Ok("SignUp", SignUpBody("alice"));
  const Json client = {{"ClientId", pool_->client_id()}};
  Json forgot = client;
  forgot["Username"] = "alice";
  EXPECT_THAT(
      ExpectError(Call("ForgotPassword", forgot), "InvalidParameterException"),
      HasSubstr("no registered/verified email"));
  Json confirm_forgot = forgot;
  confirm_forgot["ConfirmationCode"] = "123456";
  confirm_forgot["Password"] = "N3w-Passw0rd";
  EXPECT_THAT(ExpectError(Call("ConfirmForgotPassword", confirm_forgot),
                          "InvalidParameterException"),
              HasSubstr("administrator"));
  Json confirm = forgot;
  confirm["ConfirmationCode"] = "123456";
  ExpectError(Call("ConfirmSignUp", confirm), "InvalidParameterException");
  ExpectError(Call("ResendConfirmationCode", forgot),
              "InvalidParameterException");
  // Missing members are reported before the explanation.
  EXPECT_THAT(
      ExpectError(Call("ConfirmSignUp", forgot), "InvalidParameterException"),
      HasSubstr("'confirmationCode'"));
}

TEST_F(CognitoFunctionTest, AdminConfirmationModeReportsUnconfirmedUsers) {
  auto options = Options();
  options.require_admin_confirmation = true;
  MakePool(options);
  const Json body = Ok("SignUp", SignUpBody("carol"));
  EXPECT_EQ(body["UserConfirmed"], false);
  EXPECT_EQ(ExpectError(Call("InitiateAuth", PasswordAuth("carol")),
                        "UserNotConfirmedException"),
            "User is not confirmed.");
  ASSERT_TRUE(pool_->AdminConfirmSignUp("carol"));
  Ok("InitiateAuth", PasswordAuth("carol"));
}

TEST_F(CognitoFunctionTest, RepeatedFailuresAreThrottled) {
  Ok("SignUp", SignUpBody("alice"));
  for (int i = 0; i < 5; ++i) {
    ExpectError(Call("InitiateAuth", PasswordAuth("alice", "Wr0ng!pass")),
                "NotAuthorizedException");
  }
  EXPECT_EQ(ExpectError(Call("InitiateAuth", PasswordAuth("alice")),
                        "NotAuthorizedException"),
            "Password attempts exceeded");
  // The address is slowed too, for every name tried from it.
  for (int i = 0; i < 20; ++i) {
    (void)Call("InitiateAuth", PasswordAuth("user" + std::to_string(i), "x"));
  }
  ExpectError(Call("InitiateAuth", PasswordAuth("bob")),
              "TooManyRequestsException");
  HttpRequest elsewhere = Request("SignUp", SignUpBody("bob"));
  elsewhere.source_ip = "203.0.113.1";
  EXPECT_EQ((*function_)(elsewhere).status, 200);
}

TEST_F(CognitoFunctionTest, ProtocolErrors) {
  // Unknown, missing and administrative targets.
  ExpectError(Call("DescribeUserPool", Json::object()),
              "UnknownOperationException");
  ExpectError(Call("AdminCreateUser", {{"Username", "x"}}),
              "UnknownOperationException");
  HttpRequest no_target = Request("SignUp", SignUpBody("alice"));
  no_target.headers.erase("x-amz-target");
  ExpectError((*function_)(no_target), "UnknownOperationException");
  HttpRequest other_service = Request("SignUp", SignUpBody("alice"));
  other_service.headers["x-amz-target"] = "DynamoDB_20120810.GetItem";
  ExpectError((*function_)(other_service), "UnknownOperationException");

  HttpRequest get = Request("SignUp", SignUpBody("alice"));
  get.method = "GET";
  const HttpResponse not_post = (*function_)(get);
  ExpectError(not_post, "UnknownOperationException", 405);
  EXPECT_EQ(not_post.headers.at("allow"), "POST");

  HttpRequest text = Request("SignUp", SignUpBody("alice"));
  text.headers["content-type"] = "text/plain";
  ExpectError((*function_)(text), "SerializationException");
  HttpRequest json = Request("SignUp", SignUpBody("alice"));
  json.headers["content-type"] = "application/json; charset=utf-8";
  EXPECT_EQ((*function_)(json).status, 200);

  HttpRequest broken = Request("SignUp", Json::object());
  broken.body = "{\"ClientId\": ";
  ExpectError((*function_)(broken), "SerializationException");
  broken.body = "[1,2]";
  ExpectError((*function_)(broken), "SerializationException");
  broken.body = std::string(kMaxCognitoBodyBytes + 1, ' ');
  ExpectError((*function_)(broken), "SerializationException");

  Json number_name = SignUpBody("bob");
  number_name["Username"] = 42;
  ExpectError(Call("SignUp", number_name), "SerializationException");
  Json bad_attrs = SignUpBody("bob");
  bad_attrs["UserAttributes"] = "email=x";
  ExpectError(Call("SignUp", bad_attrs), "SerializationException");
}

TEST_F(CognitoFunctionTest, StorageFailuresStayInside) {
  Ok("SignUp", SignUpBody("alice"));
  store_->failing = true;
  const HttpResponse r = Call("InitiateAuth", PasswordAuth("alice"));
  EXPECT_EQ(ExpectError(r, "InternalErrorException", 500),
            "Internal server error.");
  EXPECT_THAT(r.body, Not(HasSubstr("secret-bucket")));
  store_->failing = false;
  Ok("InitiateAuth", PasswordAuth("alice"));
}

TEST(CognitoErrorResponseTest, Shape) {
  const HttpResponse r =
      CognitoErrorResponse("NotAuthorizedException", "no", "");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.headers.at("x-amzn-ErrorType"), "NotAuthorizedException");
  EXPECT_EQ(r.headers.count("x-amzn-RequestId"), 0u);
  EXPECT_EQ(Json::parse(r.body),
            (Json{{"__type", "NotAuthorizedException"}, {"message", "no"}}));
  EXPECT_EQ(CognitoErrorResponse("InternalErrorException", "x", "id").status,
            500);
}

}  // namespace
}  // namespace invoices::functions
