// Helpers shared by the ObjectStore backends so that they answer alike: range
// resolution, list tokens and limits. Used by store/ only.
// Thread safety: pure functions.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "invoices/core/error.h"
#include "invoices/store/object_store.h"

namespace invoices::store::internal {

// The [offset, offset + length) slice `range` names in an object of `size`
// bytes, clamped to the end; kInvalidArgument when it starts at or past the
// end or is empty (S3: 416 InvalidRange).
[[nodiscard]] Result<std::pair<uint64_t, uint64_t>> ResolveRange(
    const std::optional<ByteRange>& range, uint64_t size);

// max_keys 0 -> 1000; kInvalidArgument outside 0..1000.
[[nodiscard]] Result<int> ResolveMaxKeys(int max_keys);

// Tokens of the memory and local stores: the last key of the page, base64url,
// so that callers treat them as opaque.
std::string EncodeListToken(std::string_view last_key);
// "" -> ""; kInvalidArgument for a token that is not one of ours.
[[nodiscard]] Result<std::string> DecodeListToken(std::string_view token);

// Checks an expiry for PresignGet: 1 s .. 7 days, else kInvalidArgument.
[[nodiscard]] Status ValidateExpiry(std::chrono::seconds expiry);

}  // namespace invoices::store::internal
