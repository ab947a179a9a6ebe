#include "invoices/functions/cognito.h"

#include <algorithm>
#include <cctype>
#include <exception>
#include <expected>
#include <map>
#include <optional>
#include <string>
#include <utility>

namespace invoices::functions {
namespace {

using auth::PoolErrorCode;
using core::Json;

constexpr std::string_view kTargetPrefix = "AWSCognitoIdentityProviderService.";
constexpr std::string_view kContentType = "application/x-amz-json-1.1";

// A Cognito error about to be sent.
struct Failure {
  std::string type;
  std::string message;
};
template <class T>
using Answer = std::expected<T, Failure>;

std::unexpected<Failure> Fail(std::string_view type, std::string message) {
  return std::unexpected(Failure{std::string(type), std::move(message)});
}
std::unexpected<Failure> FromPool(const auth::PoolError& error) {
  return Fail(auth::CognitoErrorName(error.code), error.message);
}
std::unexpected<Failure> InvalidParameter(std::string message) {
  return Fail("InvalidParameterException", std::move(message));
}

// The member name as Cognito's validation messages spell it: "clientId".
std::string MemberName(std::string_view name) {
  std::string out(name);
  if (!out.empty()) {
    out[0] =
        static_cast<char>(std::tolower(static_cast<unsigned char>(out[0])));
  }
  return out;
}

Answer<std::optional<std::string>> OptionalString(const Json& object,
                                                  const char* name) {
  const auto it = object.find(name);
  if (it == object.end() || it->is_null()) return std::nullopt;
  if (!it->is_string()) {
    return Fail("SerializationException",
                std::string(name) + " must be a string");
  }
  return it->get<std::string>();
}

Answer<std::string> RequiredString(const Json& object, const char* name) {
  auto value = OptionalString(object, name);
  if (!value) return std::unexpected(std::move(value).error());
  if (!*value) {
    return InvalidParameter("1 validation error detected: Value at '" +
                            MemberName(name) +
                            "' failed to satisfy constraint: Member must not "
                            "be null");
  }
  return std::move(**value);
}

bool IsClientIdShape(std::string_view id) {
  return !id.empty() && id.size() <= 128 &&
         std::all_of(id.begin(), id.end(), [](char c) {
           return std::isalnum(static_cast<unsigned char>(c)) || c == '_' ||
                  c == '+';
         });
}

// The request's ClientId must be the pool's one app client.
Answer<void> CheckClientId(const Json& body, const auth::UserPool& pool) {
  auto id = RequiredString(body, "ClientId");
  if (!id) return std::unexpected(std::move(id).error());
  if (!IsClientIdShape(*id)) {
    return InvalidParameter(
        "1 validation error detected: Value at 'clientId' failed to satisfy "
        "constraint: Member must satisfy regular expression pattern: [\\w+]+");
  }
  if (*id != pool.client_id()) {
    return Fail("ResourceNotFoundException",
                "User pool client " + *id + " does not exist.");
  }
  return {};
}

Json TokensJson(const auth::AuthTokens& tokens) {
  Json result = {{"AccessToken", tokens.access_token},
                 {"ExpiresIn", tokens.expires_in},
                 {"IdToken", tokens.id_token}};
  if (!tokens.refresh_token.empty()) {
    result["RefreshToken"] = tokens.refresh_token;
  }
  result["TokenType"] = tokens.token_type;
  return {{"AuthenticationResult", result},
          {"ChallengeParameters", Json::object()}};
}

// Cognito's GetUser attribute list: sub first, then email_verified beside
// email, as strings.
Json AttributesJson(const auth::User& user) {
  Json list = Json::array();
  const auto add = [&](std::string_view name, std::string_view value) {
    list.push_back({{"Name", name}, {"Value", value}});
  };
  add("sub", user.sub);
  if (user.attributes.contains("email")) {
    add("email_verified", user.email_verified ? "true" : "false");
  }
  for (const auto& [name, value] : user.attributes) add(name, value);
  return list;
}

// UserAttributes: [{"Name": ..., "Value": ...}, ...] -> a map.
Answer<std::map<std::string, std::string>> ParseAttributes(const Json& body) {
  std::map<std::string, std::string> out;
  const auto it = body.find("UserAttributes");
  if (it == body.end() || it->is_null()) return out;
  if (!it->is_array()) {
    return Fail("SerializationException", "UserAttributes must be a list");
  }
  for (const Json& entry : *it) {
    if (!entry.is_object()) {
      return Fail("SerializationException",
                  "UserAttributes entries must be objects");
    }
    auto name = RequiredString(entry, "Name");
    if (!name) return std::unexpected(std::move(name).error());
    auto value = OptionalString(entry, "Value");
    if (!value) return std::unexpected(std::move(value).error());
    if (!out.emplace(*name, value->value_or("")).second) {
      return InvalidParameter("Duplicate attribute name: " + *name);
    }
  }
  return out;
}

// The request body as a JSON object.
Answer<Json> ParseBody(const HttpRequest& request) {
  if (request.body.size() > kMaxCognitoBodyBytes) {
    return Fail("SerializationException", "Request body is too large");
  }
  const std::string_view body =
      request.body.empty() ? std::string_view("{}") : request.body;
  Json json = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object()) {
    return Fail("SerializationException",
                "The request body is not a JSON object");
  }
  return json;
}

bool AcceptedContentType(std::string_view value) {
  const size_t semicolon = value.find(';');
  std::string type(value.substr(0, semicolon));
  std::transform(type.begin(), type.end(), type.begin(), [](unsigned char c) {
    return static_cast<char>(std::tolower(c));
  });
  while (!type.empty() && type.back() == ' ') type.pop_back();
  return type == kContentType || type == "application/x-amz-json-1.0" ||
         type == "application/json";
}

class Handler {
 public:
  explicit Handler(auth::UserPool& pool) : pool_(pool) {}

  Answer<Json> Dispatch(std::string_view action, const Json& body,
                        const HttpRequest& request) {
    if (action == "SignUp") return SignUp(body);
    if (action == "InitiateAuth") return InitiateAuth(body, request);
    if (action == "GetUser") return GetUser(body);
    if (action == "ChangePassword") return ChangePassword(body, request);
    if (action == "GlobalSignOut") return GlobalSignOut(body);
    if (action == "RevokeToken") return RevokeToken(body);
    if (action == "ConfirmSignUp") return ConfirmSignUp(body);
    if (action == "ResendConfirmationCode") return ResendCode(body);
    if (action == "ForgotPassword") return ForgotPassword(body);
    if (action == "ConfirmForgotPassword") return ConfirmForgotPassword(body);
    return Fail("UnknownOperationException",
                "This user pool does not support the operation.");
  }

 private:
  Answer<Json> SignUp(const Json& body) {
    if (auto ok = CheckClientId(body, pool_); !ok) return Unexpected(ok);
    auto username = RequiredString(body, "Username");
    if (!username) return Unexpected(username);
    auto password = RequiredString(body, "Password");
    if (!password) return Unexpected(password);
    auto attributes = ParseAttributes(body);
    if (!attributes) return Unexpected(attributes);
    auto result = pool_.SignUp(*username, *password, *attributes);
    if (!result) return FromPool(result.error());
    return Json{{"UserConfirmed", result->confirmed}, {"UserSub", result->sub}};
  }

  Answer<Json> InitiateAuth(const Json& body, const HttpRequest& request) {
    if (auto ok = CheckClientId(body, pool_); !ok) return Unexpected(ok);
    auto flow = RequiredString(body, "AuthFlow");
    if (!flow) return Unexpected(flow);
    Json params = Json::object();
    if (const auto it = body.find("AuthParameters");
        it != body.end() && !it->is_null()) {
      if (!it->is_object()) {
        return Fail("SerializationException", "AuthParameters must be a map");
      }
      params = *it;
    }
    const auto parameter = [&](const char* name) -> Answer<std::string> {
      auto value = OptionalString(params, name);
      if (!value) return Unexpected(value);
      if (!*value || (*value)->empty()) {
        return InvalidParameter(std::string("Missing required parameter ") +
                                name);
      }
      return std::move(**value);
    };
    if (*flow == "USER_PASSWORD_AUTH") {
      auto username = parameter("USERNAME");
      if (!username) return Unexpected(username);
      auto password = parameter("PASSWORD");
      if (!password) return Unexpected(password);
      auto tokens = pool_.InitiateAuth(*username, *password, request.source_ip);
      if (!tokens) return FromPool(tokens.error());
      return TokensJson(*tokens);
    }
    if (*flow == "REFRESH_TOKEN_AUTH" || *flow == "REFRESH_TOKEN") {
      auto refresh = parameter("REFRESH_TOKEN");
      if (!refresh) return Unexpected(refresh);
      auto tokens = pool_.RefreshTokens(*refresh);
      if (!tokens) return FromPool(tokens.error());
      return TokensJson(*tokens);
    }
    static constexpr std::string_view kKnownFlows[] = {
        "USER_SRP_AUTH", "CUSTOM_AUTH", "USER_AUTH", "ADMIN_NO_SRP_AUTH",
        "ADMIN_USER_PASSWORD_AUTH"};
    if (std::find(std::begin(kKnownFlows), std::end(kKnownFlows), *flow) !=
        std::end(kKnownFlows)) {
      return InvalidParameter(*flow +
                              " flow not enabled for this client; use "
                              "USER_PASSWORD_AUTH");
    }
    return InvalidParameter(
        "1 validation error detected: Value at 'authFlow' failed to satisfy "
        "constraint: Member must satisfy enum value set: [USER_PASSWORD_AUTH, "
        "REFRESH_TOKEN_AUTH, REFRESH_TOKEN]");
  }

  Answer<Json> GetUser(const Json& body) {
    auto token = RequiredString(body, "AccessToken");
    if (!token) return Unexpected(token);
    auto user = pool_.GetUser(*token);
    if (!user) return FromPool(user.error());
    return Json{{"Username", user->username},
                {"UserAttributes", AttributesJson(*user)}};
  }

  Answer<Json> ChangePassword(const Json& body, const HttpRequest& request) {
    auto token = RequiredString(body, "AccessToken");
    if (!token) return Unexpected(token);
    auto previous = RequiredString(body, "PreviousPassword");
    if (!previous) return Unexpected(previous);
    auto proposed = RequiredString(body, "ProposedPassword");
    if (!proposed) return Unexpected(proposed);
    auto done =
        pool_.ChangePassword(*token, *previous, *proposed, request.source_ip);
    if (!done) return FromPool(done.error());
    return Json::object();
  }

  Answer<Json> GlobalSignOut(const Json& body) {
    auto token = RequiredString(body, "AccessToken");
    if (!token) return Unexpected(token);
    auto done = pool_.GlobalSignOut(*token);
    if (!done) return FromPool(done.error());
    return Json::object();
  }

  Answer<Json> RevokeToken(const Json& body) {
    if (auto ok = CheckClientId(body, pool_); !ok) return Unexpected(ok);
    auto token = RequiredString(body, "Token");
    if (!token) return Unexpected(token);
    auto done = pool_.RevokeToken(*token);
    if (!done) return FromPool(done.error());
    return Json::object();
  }

  Answer<Json> ConfirmSignUp(const Json& body) {
    if (auto ok = CheckClientId(body, pool_); !ok) return Unexpected(ok);
    auto username = RequiredString(body, "Username");
    if (!username) return Unexpected(username);
    auto code = RequiredString(body, "ConfirmationCode");
    if (!code) return Unexpected(code);
    auto done = pool_.ConfirmSignUp(*username, *code);
    if (!done) return FromPool(done.error());
    return Json::object();
  }

  Answer<Json> ResendCode(const Json& body) {
    if (auto ok = CheckClientId(body, pool_); !ok) return Unexpected(ok);
    auto username = RequiredString(body, "Username");
    if (!username) return Unexpected(username);
    auto done = pool_.ResendConfirmationCode(*username);
    if (!done) return FromPool(done.error());
    return Json::object();
  }

  Answer<Json> ForgotPassword(const Json& body) {
    if (auto ok = CheckClientId(body, pool_); !ok) return Unexpected(ok);
    auto username = RequiredString(body, "Username");
    if (!username) return Unexpected(username);
    auto done = pool_.ForgotPassword(*username);
    if (!done) return FromPool(done.error());
    return Json::object();
  }

  Answer<Json> ConfirmForgotPassword(const Json& body) {
    if (auto ok = CheckClientId(body, pool_); !ok) return Unexpected(ok);
    auto username = RequiredString(body, "Username");
    if (!username) return Unexpected(username);
    auto code = RequiredString(body, "ConfirmationCode");
    if (!code) return Unexpected(code);
    auto password = RequiredString(body, "Password");
    if (!password) return Unexpected(password);
    auto done = pool_.ConfirmForgotPassword(*username, *code, *password);
    if (!done) return FromPool(done.error());
    return Json::object();
  }

  template <class E>
  static std::unexpected<Failure> Unexpected(const E& failed) {
    return std::unexpected(failed.error());
  }

  auth::UserPool& pool_;
};

std::string Dump(const Json& json) {
  return json.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace

HttpResponse CognitoErrorResponse(std::string_view type,
                                  std::string_view message,
                                  std::string_view request_id) {
  HttpResponse response;
  response.status = type == "InternalErrorException" ? 500 : 400;
  response.headers["content-type"] = std::string(kContentType);
  response.headers["x-amzn-ErrorType"] = std::string(type);
  if (!request_id.empty()) {
    response.headers["x-amzn-RequestId"] = std::string(request_id);
  }
  response.body = Dump(Json{{"__type", type}, {"message", message}});
  return response;
}

HttpResponse CognitoFunction::operator()(const HttpRequest& request) const {
  const auto error = [&](std::string_view type, std::string_view message) {
    return CognitoErrorResponse(type, message, request.request_id);
  };
  try {
    if (request.method != "POST") {
      HttpResponse response =
          error("UnknownOperationException",
                "The Cognito protocol takes POST requests only.");
      response.status = 405;
      response.headers["allow"] = "POST";
      return response;
    }
    const std::string_view target = request.Header("x-amz-target");
    if (!target.starts_with(kTargetPrefix)) {
      return error("UnknownOperationException",
                   "Missing or unknown X-Amz-Target; expected "
                   "AWSCognitoIdentityProviderService.<Action>.");
    }
    const std::string_view content_type = request.Header("content-type");
    if (!AcceptedContentType(content_type)) {
      return error("SerializationException",
                   "Content-Type must be application/x-amz-json-1.1");
    }
    auto body = ParseBody(request);
    if (!body) return error(body.error().type, body.error().message);
    Handler handler(pool_);
    auto answer =
        handler.Dispatch(target.substr(kTargetPrefix.size()), *body, request);
    if (!answer) {
      if (answer.error().type == "InternalErrorException") {
        // Storage details stay in the server; the client learns only this.
        return error("InternalErrorException", "Internal server error.");
      }
      return error(answer.error().type, answer.error().message);
    }
    HttpResponse response;
    response.status = 200;
    response.headers["content-type"] = std::string(kContentType);
    if (!request.request_id.empty()) {
      response.headers["x-amzn-RequestId"] = request.request_id;
    }
    response.body = Dump(*answer);
    return response;
  } catch (const std::exception&) {
    return error("InternalErrorException", "Internal server error.");
  }
}

}  // namespace invoices::functions
