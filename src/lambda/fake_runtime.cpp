#include "invoices/lambda/fake_runtime.h"

#include <utility>

namespace invoices::lambda {

void FakeRuntime::Push(Invocation invocation) {
  queue_.push_back(std::move(invocation));
}

void FakeRuntime::PushEvent(std::string event,
                            std::chrono::system_clock::time_point deadline) {
  Invocation invocation;
  invocation.request_id = "req-" + std::to_string(++pushed_);
  invocation.deadline = deadline;
  invocation.invoked_function_arn =
      "arn:aws:lambda:us-east-1:123456789012:function:invoices";
  invocation.event = std::move(event);
  Push(std::move(invocation));
}

void FakeRuntime::SetSource(std::function<std::optional<Invocation>()> source) {
  source_ = std::move(source);
}

void FakeRuntime::FailNextPosts(int count, core::Error error) {
  fail_count_ = count;
  fail_error_ = std::move(error);
}

core::Result<Invocation> FakeRuntime::Next() {
  if (pending_) {
    ++unanswered_;
    pending_.reset();
  }
  Invocation invocation;
  if (!queue_.empty()) {
    invocation = std::move(queue_.front());
    queue_.pop_front();
  } else {
    std::optional<Invocation> made;
    if (source_) made = source_();
    if (!made) return core::Unavailable("fake runtime: no more invocations");
    invocation = std::move(*made);
  }
  ++invocations_;
  pending_ = invocation.request_id;
  return invocation;
}

core::Status FakeRuntime::Injected() {
  if (fail_count_ <= 0 || !fail_error_) return {};
  --fail_count_;
  return std::unexpected(*fail_error_);
}

core::Status FakeRuntime::Accept(std::string_view request_id) {
  if (!pending_ || *pending_ != request_id) {
    return core::InvalidArgument("fake runtime: no invocation " +
                                 std::string(request_id) + " in progress");
  }
  pending_.reset();
  return {};
}

void FakeRuntime::Record(Post post) {
  if (record_posts_) posts_.push_back(std::move(post));
}

core::Status FakeRuntime::PostResponse(std::string_view request_id,
                                       std::string_view body) {
  INVOICES_RETURN_IF_ERROR(Injected());
  if (body.size() > max_response_bytes_) {
    // Lambda's 413: the invocation stays open for an error post.
    return core::TooLarge("fake runtime: response of " +
                          std::to_string(body.size()) + " bytes");
  }
  INVOICES_RETURN_IF_ERROR(Accept(request_id));
  ++responses_;
  Record(
      {Post::Kind::kResponse, std::string(request_id), std::string(body), ""});
  return {};
}

core::Status FakeRuntime::PostError(std::string_view request_id,
                                    const core::Error& error) {
  INVOICES_RETURN_IF_ERROR(Injected());
  INVOICES_RETURN_IF_ERROR(Accept(request_id));
  ++errors_;
  Record({Post::Kind::kError, std::string(request_id), ErrorDocument(error),
          "Function." + std::string(core::CodeName(error.code()))});
  return {};
}

core::Status FakeRuntime::PostInitError(const core::Error& error) {
  INVOICES_RETURN_IF_ERROR(Injected());
  ++init_errors_;
  Record({Post::Kind::kInitError, "", ErrorDocument(error),
          "Runtime." + std::string(core::CodeName(error.code()))});
  return {};
}

}  // namespace invoices::lambda
