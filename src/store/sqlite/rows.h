// Row decoding shared by the SQLite store's files: stored payloads and issue rows (one column
// list for the issue writer and readers, so the two cannot disagree).
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "core/compression.h"
#include "issues/issue.h"
#include "store/sqlite/sqlite.h"

namespace lt::sqlite {

inline constexpr size_t kMaxPayloadBytes = 64u << 20;

// Throws std::runtime_error when the blob is not a valid zstd frame of at most 64 MiB.
inline std::string decompress_payload(std::string_view blob) {
    std::optional<std::string> payload = zstd_decompress(blob, kMaxPayloadBytes);
    if (!payload) throw std::runtime_error("a stored payload is corrupt or larger than 64 MiB");
    return std::move(*payload);
}

// Columns of `groups` (alias-free, so they work with or without `g.`), in read_issue() order.
inline constexpr const char* kIssueColumns =
    "id, project_id, short_number, type, title, culprit, metadata, level, platform, logger, "
    "status, substatus, substatus_at, status_details, first_seen, last_seen, times_seen, "
    "user_count, first_release, last_release, unhandled, grouping_config";
inline constexpr int kIssueColumnCount = 22;

// Reads kIssueColumns starting at column `first`.
inline Issue read_issue(const Query& row, int first = 0) {
    Issue issue;
    issue.id = row.column_int64(first + 0);
    issue.project_id = row.column_int64(first + 1);
    issue.short_number = row.column_int64(first + 2);
    issue.type = row.column_text(first + 3);
    issue.title = row.column_text(first + 4);
    issue.culprit = row.column_text(first + 5);
    issue.metadata_json = row.column_text(first + 6);
    issue.level = row.column_text(first + 7);
    issue.platform = row.column_text(first + 8);
    issue.logger = row.column_text(first + 9);
    issue.status = row.column_text(first + 10);
    issue.substatus = row.column_text(first + 11);
    issue.substatus_at = row.column_double(first + 12);
    issue.status_details_json = row.column_text(first + 13);
    issue.first_seen = row.column_double(first + 14);
    issue.last_seen = row.column_double(first + 15);
    issue.times_seen = row.column_int64(first + 16);
    issue.user_count = row.column_int64(first + 17);
    if (!row.column_is_null(first + 18)) issue.first_release = row.column_text(first + 18);
    if (!row.column_is_null(first + 19)) issue.last_release = row.column_text(first + 19);
    issue.unhandled = row.column_int64(first + 20) != 0;
    issue.grouping_config = row.column_text(first + 21);
    return issue;
}

}  // namespace lt::sqlite
