// A small streaming JSON writer into a std::string.
//
// The caller drives structure (begin/end object/array, key, value); the writer inserts commas
// and escapes strings. Invalid UTF-8 in strings is replaced by U+FFFD so the output is always
// valid JSON. It does not check that calls are balanced; tests of each caller do.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace lt {

class JsonWriter {
public:
    JsonWriter& begin_object();
    JsonWriter& end_object();
    JsonWriter& begin_array();
    JsonWriter& end_array();
    JsonWriter& key(std::string_view name);
    JsonWriter& value(std::string_view text);
    JsonWriter& value(const char* text) { return value(std::string_view(text)); }
    JsonWriter& value(const std::string& text) { return value(std::string_view(text)); }
    JsonWriter& value(int64_t number);
    JsonWriter& value(uint64_t number);
    JsonWriter& value(int number) { return value(static_cast<int64_t>(number)); }
    JsonWriter& value(double number);
    JsonWriter& value(bool flag);
    JsonWriter& null();
    // Inserts already-serialized JSON verbatim as one value.
    JsonWriter& raw(std::string_view json);

    const std::string& str() const { return out_; }
    std::string take() { return std::move(out_); }

private:
    void separate();
    std::string out_;
    bool need_comma_ = false;
};

// Appends `text` as a quoted JSON string to `out`.
void append_json_string(std::string& out, std::string_view text);

}  // namespace lt
