// A mutable JSON tree for event processing: parse() with simdjson, edit in place, write().
//
// Contract
// - Ownership. A Document owns an arena (a std::pmr::monotonic_buffer_resource on the heap) and a
//   root Value. Every Value lives in one Document's arena and is made only by that Document's
//   factories, by parse() or by copy(). Nothing is freed before the Document dies: erasing or
//   replacing values leaves their memory in the arena, so a Document serves one event's
//   processing, not a long-lived store. Moving a Document moves one pointer: every Value, root
//   included, stays where it is. Values, and pointers, spans and string_views taken from them,
//   must not outlive their Document. A moved-from Document may only be destroyed or assigned to.
// - Values are move-only; a moved-from Value is null. Moving a Value into a tree of another
//   Document (assignment, set(), push_back()) deep-copies it into that Document's arena, so a
//   tree never points into a foreign arena; Document::copy() is the explicit deep copy. Moving a
//   value into one of its own descendants is not allowed (it would make a cycle).
// - Kinds: null, boolean, int64, uint64 (only integers above INT64_MAX; make_uint64() of smaller
//   ones makes an int64), float64, string, array, object. NaN and infinities have no JSON form:
//   make_double() of them makes null. write() keeps integers integral and prints a float64
//   shortest round-trip, adding ".0" when it would read back as an integer (1.0 -> "1.0",
//   -0.0 -> "-0.0"), so parse(to_string(v)) has the kinds of v.
// - Strings and keys are always valid UTF-8: parse(), make_string(), set() and object_at()
//   replace each invalid byte with U+FFFD.
// - Objects keep member order; find/set/erase/take scan the members (event objects are small).
//   Duplicate keys in parsed input: the last value wins, at the position of the first (what
//   JavaScript's JSON.parse does).
// - Pointers, references and spans into an array's elements or an object's members are
//   invalidated by inserting into or erasing from that container, as with std::vector. A
//   container holds at most 2^32-1 items (std::length_error beyond). A Value takes 32 bytes, a
//   member 48 plus its key.
// - Reading never throws: accessors of another kind return nullopt, nullptr, 0 or an empty span.
//   The container mutators set(), object_at(), push_back() and reserve() throw std::logic_error
//   on a value of another kind: that is a bug in the caller, who checks is_object()/is_array()
//   first. object_at() always leaves an object there, so chains of it are safe.
// - parse() accepts any JSON value at the root. It is lenient where SDKs are sloppy: invalid UTF-8
//   bytes and lone UTF-16 surrogate escapes (JavaScript cutting a string inside a surrogate pair)
//   become U+FFFD and are counted; integer literals beyond 64 bits become float64 (as in
//   JSON.parse and Relay). Nesting deeper than max_depth arrays/objects is an error, found
//   without recursion; the tree is then built recursively, at most max_depth + 1 levels deep.
//   write() and copy() recurse as deep as the tree. parse() is thread-safe; a Document is not
//   (concurrent reads are fine).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <memory_resource>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>

#include "core/json_writer.h"

namespace lt::json {

enum class Kind : uint8_t { null, boolean, int64, uint64, float64, string, array, object };

class Member;
class TreeBuilder;  // parse()'s tree construction, in json.cpp

class Value {
public:
    Value(Value&& other) noexcept
        : arena_(other.arena_), kind_(other.kind_), payload_(other.payload_) {
        other.kind_ = Kind::null;
    }
    // Takes `other`'s contents, deep-copying them when `other` lives in another Document.
    Value& operator=(Value&& other);
    Value(const Value&) = delete;
    Value& operator=(const Value&) = delete;

    Kind kind() const { return kind_; }
    bool is_null() const { return kind_ == Kind::null; }
    bool is_bool() const { return kind_ == Kind::boolean; }
    bool is_int64() const { return kind_ == Kind::int64; }
    bool is_uint64() const { return kind_ == Kind::uint64; }
    bool is_double() const { return kind_ == Kind::float64; }
    bool is_number() const { return is_int64() || is_uint64() || is_double(); }
    bool is_string() const { return kind_ == Kind::string; }
    bool is_array() const { return kind_ == Kind::array; }
    bool is_object() const { return kind_ == Kind::object; }

    std::optional<bool> as_bool() const;
    // Integers that fit; a float64 only when integral and in range (3.0 -> 3, 3.5 -> nullopt).
    std::optional<int64_t> as_int64() const;
    std::optional<uint64_t> as_uint64() const;
    // Any number; integers beyond 2^53 are rounded.
    std::optional<double> as_double() const;
    // Valid while the Document lives, even after the value is replaced.
    std::optional<std::string_view> as_string() const;

    // Objects.
    Value* find(std::string_view key);
    const Value* find(std::string_view key) const;
    // Replaces the value at `key` in place, or appends the member; returns the stored value.
    Value& set(std::string_view key, Value value);
    // Appends the member without looking for `key` first (set() does, which makes building a
    // large object quadratic): the caller guarantees `key` is not in the object yet.
    Value& append(std::string_view key, Value value);
    bool erase(std::string_view key);
    std::optional<Value> take(std::string_view key);  // removes the member, returns its value
    // The object at `key`: appends {} when the key is missing and replaces a value of another
    // kind with {} (in place), discarding it.
    Value& object_at(std::string_view key);
    std::span<Member> members();
    std::span<const Member> members() const;

    // Arrays.
    Value& push_back(Value value);  // returns the stored value
    std::span<Value> elements();
    std::span<const Value> elements() const;

    // Element count of an array, member count of an object, 0 for other kinds.
    size_t size() const;
    // Arrays and objects: room for `count` elements or members without reallocating.
    void reserve(size_t count);

private:
    friend class Document;
    friend class TreeBuilder;

    struct StringRep {
        const char* data;
        size_t size;
    };
    struct ArrayRep {
        Value* items;
        uint32_t size;
        uint32_t capacity;
    };
    struct ObjectRep {
        Member* members;
        uint32_t size;
        uint32_t capacity;
    };
    union Payload {
        bool boolean;
        int64_t int64;
        uint64_t uint64;
        double float64;
        StringRep string;
        ArrayRep array;
        ObjectRep object;
    };

    Value(std::pmr::memory_resource* arena, Kind kind) : arena_(arena), kind_(kind) {
        switch (kind) {
            case Kind::string:
                payload_.string = {"", 0};
                break;
            case Kind::array:
                payload_.array = {};
                break;
            case Kind::object:
                payload_.object = {};
                break;
            default:
                payload_.uint64 = 0;
        }
    }
    static Value deep_copy(const Value& from, std::pmr::memory_resource* arena);
    void require(Kind kind, const char* operation) const;
    Member* find_member(std::string_view key) const;
    Member& append_member(std::string_view key, Value value);
    void erase_member(Member* member);

    std::pmr::memory_resource* arena_;  // the owning Document's arena; never null
    Kind kind_;
    Payload payload_;
};

// One key/value pair of an object. Supports `for (auto& [key, value] : object.members())`.
class Member {
public:
    std::string_view key() const { return key_; }
    Value& value() { return value_; }
    const Value& value() const { return value_; }

    template <size_t I>
    decltype(auto) get() {
        if constexpr (I == 0) {
            return key();
        } else {
            return value();
        }
    }
    template <size_t I>
    decltype(auto) get() const {
        if constexpr (I == 0) {
            return key();
        } else {
            return value();
        }
    }

private:
    friend class Value;
    friend class TreeBuilder;
    Member(std::string_view key, Value&& value) : key_(key), value_(std::move(value)) {}
    Member(Member&&) noexcept = default;
    Member& operator=(Member&&) = default;

    std::string_view key_;  // in the arena
    Value value_;
};

class Document {
public:
    // A null root; the arena's first block is `first_block_bytes` (it grows geometrically).
    explicit Document(size_t first_block_bytes = 1024);
    Document(Document&&) noexcept = default;
    Document& operator=(Document&&) noexcept = default;

    Value& root() { return storage_->root; }
    const Value& root() const { return storage_->root; }

    Value make_null() { return Value(arena(), Kind::null); }
    Value make_bool(bool flag);
    Value make_int64(int64_t number);
    Value make_uint64(uint64_t number);
    Value make_double(double number);
    Value make_string(std::string_view text);
    Value make_array() { return Value(arena(), Kind::array); }
    Value make_object() { return Value(arena(), Kind::object); }
    // A deep copy of `from` (of any Document) in this Document.
    Value copy(const Value& from) { return Value::deep_copy(from, arena()); }

private:
    friend class TreeBuilder;
    struct Storage {
        explicit Storage(size_t first_block_bytes);
        std::pmr::monotonic_buffer_resource arena;
        Value root;
    };
    std::pmr::memory_resource* arena() { return &storage_->arena; }

    std::unique_ptr<Storage> storage_;
};

struct ParseOptions {
    size_t max_depth = 256;  // nested arrays/objects: "[[1]]" has depth 2, "1" depth 0
};

struct ParseResult {
    std::optional<Document> document;  // set on success
    std::string error;                 // why not, otherwise
    size_t utf8_replacements = 0;      // invalid bytes and lone surrogate escapes -> U+FFFD
};

ParseResult parse(std::string_view text, const ParseOptions& options = {});

// Compact JSON, members in order.
void write(const Value& value, JsonWriter& out);
std::string to_string(const Value& value);
// A scalar as the text Relay's LenientString makes of it (tags, user.id, user.username):
// strings as they are, booleans as "true"/"false", numbers as their plain decimal text with
// whole floats written without ".0" (3.0 -> "3"); nullopt for null and containers.
std::optional<std::string> lenient_string(const Value& value);

// Null-safe reading of optional event parts.
// The member `key` of an object; nullptr for nullptr, other kinds and a missing key.
const Value* field(const Value* object, std::string_view key);
// The string member `key` of an object; "" when it is missing or not a string.
std::string_view text(const Value* object, std::string_view key);
// True only for the boolean true.
bool is_true(const Value* value);
// The elements of an array; empty for nullptr and values of other kinds.
std::span<const Value> elements(const Value* value);
// Python truthiness, what Sentry's `x or default` tests: false for nullptr, null, false, "",
// empty arrays and objects, and zero.
bool truthy(const Value* value);

}  // namespace lt::json

template <>
struct std::tuple_size<lt::json::Member> : std::integral_constant<size_t, 2> {};
template <>
struct std::tuple_element<0, lt::json::Member> {
    using type = std::string_view;
};
template <>
struct std::tuple_element<1, lt::json::Member> {
    using type = lt::json::Value;
};
