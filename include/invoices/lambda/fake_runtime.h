// FakeRuntime: Lambda's side of the Runtime API, in process, for tests of
// the loop and of functions run through it. It hands out queued (or
// generated) invocations, records what the runtime posts, and checks the
// protocol as Lambda does: a post must name the invocation in progress and
// answer it once (invalid_argument otherwise, as Lambda's 400/403). Posts can
// be made to fail. Not a conformance reference: the curl transport is tested
// against a real HTTP server in runtime_test.cpp.
//
// Thread safety: none; one thread (the loop's) at a time, and the test reads
// it after RunLoop returns.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "invoices/lambda/runtime.h"

namespace invoices::lambda {

class FakeRuntime final : public RuntimeTransport {
 public:
  struct Post {
    enum class Kind { kResponse, kError, kInitError };
    Kind kind;
    std::string request_id;  // "" for kInitError
    std::string body;        // the response, or ErrorDocument(error)
    std::string error_type;  // the Lambda-Runtime-Function-Error-Type value
  };

  // Queues an invocation; Next hands them out in order.
  void Push(Invocation invocation);
  // Queues an invocation of `event` with request id "req-N" (N counting
  // PushEvent calls from 1) and the given deadline.
  void PushEvent(std::string event,
                 std::chrono::system_clock::time_point deadline =
                     std::chrono::system_clock::time_point::max());
  // Called by Next when the queue is empty; nullopt (or no source) makes
  // Next fail with unavailable, which ends RunLoop like a Runtime API gone.
  void SetSource(std::function<std::optional<Invocation>()> source);

  // The next `count` posts fail with `error` and are not recorded (the
  // invocation stays unanswered, so a retry may answer it).
  void FailNextPosts(int count, core::Error error);
  // Responses larger than this are refused with too_large, as Lambda
  // refuses those over 6 MB (413); the invocation stays open.
  void set_max_response_bytes(size_t bytes) { max_response_bytes_ = bytes; }
  // Whether posts are kept in posts() (true); the counters always count.
  void set_record_posts(bool record) { record_posts_ = record; }

  const std::vector<Post>& posts() const { return posts_; }
  uint64_t invocations() const { return invocations_; }
  uint64_t responses() const { return responses_; }
  uint64_t errors() const { return errors_; }
  uint64_t init_errors() const { return init_errors_; }
  // Invocations the runtime moved past without answering.
  uint64_t unanswered() const { return unanswered_; }

  core::Result<Invocation> Next() override;
  core::Status PostResponse(std::string_view request_id,
                            std::string_view body) override;
  core::Status PostError(std::string_view request_id,
                         const core::Error& error) override;
  core::Status PostInitError(const core::Error& error) override;

 private:
  core::Status Accept(std::string_view request_id);
  core::Status Injected();
  void Record(Post post);

  std::deque<Invocation> queue_;
  std::function<std::optional<Invocation>()> source_;
  std::optional<std::string> pending_;  // the invocation in progress
  int fail_count_ = 0;
  std::optional<core::Error> fail_error_;
  size_t max_response_bytes_ = size_t{6} * 1024 * 1024;
  bool record_posts_ = true;
  std::vector<Post> posts_;
  uint64_t invocations_ = 0;
  uint64_t responses_ = 0;
  uint64_t errors_ = 0;
  uint64_t init_errors_ = 0;
  uint64_t unanswered_ = 0;
  uint64_t pushed_ = 0;
};

}  // namespace invoices::lambda
