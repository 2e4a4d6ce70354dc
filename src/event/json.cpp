#include "event/json.h"

#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <new>
#include <numeric>
#include <stdexcept>
#include <vector>

#include "core/utf8.h"

namespace lt::json {
namespace {

template <class T>
T* allocate(std::pmr::memory_resource* arena, size_t count) {
    return static_cast<T*>(arena->allocate(count * sizeof(T), alignof(T)));
}

std::string_view copy_chars(std::pmr::memory_resource* arena, std::string_view text) {
    if (text.empty()) return {};
    char* data = allocate<char>(arena, text.size());
    std::memcpy(data, text.data(), text.size());
    return {data, text.size()};
}

// is_valid_utf8() with a shortcut for ASCII, which keys and most strings are.
bool is_valid_utf8_fast(std::string_view text) {
    for (const char c : text) {
        if (static_cast<unsigned char>(c) >= 0x80) return is_valid_utf8(text);
    }
    return true;
}

// `key`, or its repair (kept in `storage`) when it is not valid UTF-8.
std::string_view valid_key(std::string_view key, std::string& storage) {
    if (is_valid_utf8_fast(key)) return key;
    storage = repair_utf8(key);
    return storage;
}

uint32_t checked_count(size_t count) {
    if (count > std::numeric_limits<uint32_t>::max()) {
        throw std::length_error("lt::json: more than 2^32-1 elements or members");
    }
    return static_cast<uint32_t>(count);
}

size_t next_capacity(uint32_t capacity) {
    return capacity == 0 ? 4 : size_t{capacity} * 2;
}

}  // namespace

// ---- Value ------------------------------------------------------------------------------------

Value& Value::operator=(Value&& other) {
    if (this == &other) return *this;
    if (other.arena_ == arena_) {
        kind_ = other.kind_;
        payload_ = other.payload_;
    } else {
        const Value copied = deep_copy(other, arena_);
        kind_ = copied.kind_;
        payload_ = copied.payload_;
    }
    other.kind_ = Kind::null;
    return *this;
}

Value Value::deep_copy(const Value& from, std::pmr::memory_resource* arena) {
    Value copy(arena, from.kind_);
    switch (from.kind_) {
        case Kind::string: {
            const std::string_view text = copy_chars(arena, *from.as_string());
            copy.payload_.string = {text.data(), text.size()};
            break;
        }
        case Kind::array: {
            const ArrayRep& source = from.payload_.array;
            ArrayRep& target = copy.payload_.array;
            target.items = allocate<Value>(arena, source.size);
            target.capacity = source.size;
            for (; target.size < source.size; ++target.size) {
                new (target.items + target.size) Value(deep_copy(source.items[target.size], arena));
            }
            break;
        }
        case Kind::object: {
            const ObjectRep& source = from.payload_.object;
            ObjectRep& target = copy.payload_.object;
            target.members = allocate<Member>(arena, source.size);
            target.capacity = source.size;
            for (; target.size < source.size; ++target.size) {
                const Member& member = source.members[target.size];
                new (target.members + target.size)
                    Member(copy_chars(arena, member.key_), deep_copy(member.value_, arena));
            }
            break;
        }
        default:
            copy.payload_ = from.payload_;
    }
    return copy;
}

void Value::require(Kind kind, const char* operation) const {
    if (kind_ == kind) return;
    throw std::logic_error(std::string("lt::json::Value::") + operation +
                           " on a value that is not " +
                           (kind == Kind::object ? "an object" : "an array"));
}

std::optional<bool> Value::as_bool() const {
    if (kind_ != Kind::boolean) return std::nullopt;
    return payload_.boolean;
}

std::optional<int64_t> Value::as_int64() const {
    switch (kind_) {
        case Kind::int64:
            return payload_.int64;
        case Kind::float64: {
            const double number = payload_.float64;
            if (number >= -0x1p63 && number < 0x1p63 && std::trunc(number) == number) {
                return static_cast<int64_t>(number);
            }
            return std::nullopt;
        }
        default:
            return std::nullopt;
    }
}

std::optional<uint64_t> Value::as_uint64() const {
    switch (kind_) {
        case Kind::int64:
            if (payload_.int64 < 0) return std::nullopt;
            return static_cast<uint64_t>(payload_.int64);
        case Kind::uint64:
            return payload_.uint64;
        case Kind::float64: {
            const double number = payload_.float64;
            if (number >= 0 && number < 0x1p64 && std::trunc(number) == number) {
                return static_cast<uint64_t>(number);
            }
            return std::nullopt;
        }
        default:
            return std::nullopt;
    }
}

std::optional<double> Value::as_double() const {
    switch (kind_) {
        case Kind::int64:
            return static_cast<double>(payload_.int64);
        case Kind::uint64:
            return static_cast<double>(payload_.uint64);
        case Kind::float64:
            return payload_.float64;
        default:
            return std::nullopt;
    }
}

std::optional<std::string_view> Value::as_string() const {
    if (kind_ != Kind::string) return std::nullopt;
    return std::string_view(payload_.string.data, payload_.string.size);
}

Member* Value::find_member(std::string_view key) const {
    if (kind_ != Kind::object) return nullptr;
    Member* const end = payload_.object.members + payload_.object.size;
    for (Member* member = payload_.object.members; member != end; ++member) {
        if (member->key_ == key) return member;
    }
    return nullptr;
}

Value* Value::find(std::string_view key) {
    Member* member = find_member(key);
    return member ? &member->value_ : nullptr;
}

const Value* Value::find(std::string_view key) const {
    const Member* member = find_member(key);
    return member ? &member->value_ : nullptr;
}

Member& Value::append_member(std::string_view key, Value value) {
    ObjectRep& object = payload_.object;
    if (object.size == object.capacity) reserve(next_capacity(object.capacity));
    Member* member = new (object.members + object.size)
        Member(copy_chars(arena_, key), Value(arena_, Kind::null));
    member->value_ = std::move(value);  // deep-copies a value of another Document
    ++object.size;
    return *member;
}

Value& Value::append(std::string_view key, Value value) {
    require(Kind::object, "append");
    std::string repaired;
    return append_member(valid_key(key, repaired), std::move(value)).value_;
}

Value& Value::set(std::string_view key, Value value) {
    require(Kind::object, "set");
    std::string repaired;
    key = valid_key(key, repaired);
    if (Member* existing = find_member(key)) {
        existing->value_ = std::move(value);
        return existing->value_;
    }
    return append_member(key, std::move(value)).value_;
}

Value& Value::object_at(std::string_view key) {
    require(Kind::object, "object_at");
    std::string repaired;
    key = valid_key(key, repaired);
    if (Member* existing = find_member(key)) {
        if (!existing->value_.is_object()) existing->value_ = Value(arena_, Kind::object);
        return existing->value_;
    }
    return append_member(key, Value(arena_, Kind::object)).value_;
}

void Value::erase_member(Member* member) {
    Member* const last = payload_.object.members + payload_.object.size - 1;
    for (; member != last; ++member) *member = std::move(member[1]);
    --payload_.object.size;
}

bool Value::erase(std::string_view key) {
    Member* member = find_member(key);
    if (!member) return false;
    erase_member(member);
    return true;
}

std::optional<Value> Value::take(std::string_view key) {
    Member* member = find_member(key);
    if (!member) return std::nullopt;
    std::optional<Value> taken(std::move(member->value_));
    erase_member(member);
    return taken;
}

std::span<Member> Value::members() {
    if (kind_ != Kind::object) return {};
    return {payload_.object.members, payload_.object.size};
}

std::span<const Member> Value::members() const {
    if (kind_ != Kind::object) return {};
    return {payload_.object.members, payload_.object.size};
}

Value& Value::push_back(Value value) {
    require(Kind::array, "push_back");
    ArrayRep& array = payload_.array;
    if (array.size == array.capacity) reserve(next_capacity(array.capacity));
    Value* item = new (array.items + array.size) Value(arena_, Kind::null);
    *item = std::move(value);  // deep-copies a value of another Document
    ++array.size;
    return *item;
}

std::span<Value> Value::elements() {
    if (kind_ != Kind::array) return {};
    return {payload_.array.items, payload_.array.size};
}

std::span<const Value> Value::elements() const {
    if (kind_ != Kind::array) return {};
    return {payload_.array.items, payload_.array.size};
}

size_t Value::size() const {
    switch (kind_) {
        case Kind::array:
            return payload_.array.size;
        case Kind::object:
            return payload_.object.size;
        default:
            return 0;
    }
}

void Value::reserve(size_t count) {
    if (kind_ == Kind::array) {
        ArrayRep& array = payload_.array;
        if (count <= array.capacity) return;
        array.capacity = checked_count(count);
        Value* items = allocate<Value>(arena_, array.capacity);
        for (uint32_t i = 0; i < array.size; ++i) new (items + i) Value(std::move(array.items[i]));
        array.items = items;  // the old block stays in the arena until the Document dies
        return;
    }
    if (kind_ != Kind::object) {
        throw std::logic_error(
            "lt::json::Value::reserve on a value that is neither an array nor an object");
    }
    ObjectRep& object = payload_.object;
    if (count <= object.capacity) return;
    object.capacity = checked_count(count);
    Member* members = allocate<Member>(arena_, object.capacity);
    for (uint32_t i = 0; i < object.size; ++i) {
        new (members + i) Member(std::move(object.members[i]));
    }
    object.members = members;
}

// ---- Document ---------------------------------------------------------------------------------

Document::Storage::Storage(size_t first_block_bytes)
    : arena(std::max<size_t>(first_block_bytes, 64)), root(&arena, Kind::null) {}

Document::Document(size_t first_block_bytes)
    : storage_(std::make_unique<Storage>(first_block_bytes)) {}

Value Document::make_bool(bool flag) {
    Value value(arena(), Kind::boolean);
    value.payload_.boolean = flag;
    return value;
}

Value Document::make_int64(int64_t number) {
    Value value(arena(), Kind::int64);
    value.payload_.int64 = number;
    return value;
}

Value Document::make_uint64(uint64_t number) {
    if (number <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        return make_int64(static_cast<int64_t>(number));
    }
    Value value(arena(), Kind::uint64);
    value.payload_.uint64 = number;
    return value;
}

Value Document::make_double(double number) {
    if (!std::isfinite(number)) return make_null();
    Value value(arena(), Kind::float64);
    value.payload_.float64 = number;
    return value;
}

Value Document::make_string(std::string_view text) {
    Value value(arena(), Kind::string);
    const std::string_view stored = is_valid_utf8_fast(text)
                                        ? copy_chars(arena(), text)
                                        : copy_chars(arena(), repair_utf8(text));
    value.payload_.string = {stored.data(), stored.size()};
    return value;
}

// ---- parse ------------------------------------------------------------------------------------

// Builds a Document's tree from a simdjson DOM.
class TreeBuilder {
    using Type = simdjson::dom::element_type;

public:
    // `strings` is the buffer into which simdjson unescaped every string and key of the
    // document being built, each as [u32 length][bytes][NUL]; for an input of `input_bytes` it
    // holds at most 5/3 of that (a string takes at least 3 input bytes with its separator).
    TreeBuilder(Document& document, size_t max_depth, const char* strings, size_t input_bytes)
        : arena_(document.arena()),
          max_depth_(max_depth),
          source_(strings),
          mirror_size_(input_bytes / 3 * 5 + 64),
          mirror_(allocate<char>(arena_, mirror_size_)) {}

    // Builds `element`, inside `depth` arrays/objects, into `slot` (null); false when arrays and
    // objects nest deeper than max_depth. Only containers recurse.
    bool build(simdjson::dom::element element, Value& slot, size_t depth) {
        const Type type = element.type();
        if (type == Type::ARRAY) {
            return build_array(element.get_array().value_unsafe(), slot, depth);
        }
        if (type == Type::OBJECT) {
            return build_object(element.get_object().value_unsafe(), slot, depth);
        }
        build_scalar(element, type, slot);
        return true;
    }

    // Copies what intern() has pointed at so far into the mirror: before keys are compared, and
    // once the tree is built.
    void sync() {
        if (seen_end_ <= mirrored_) return;
        std::memcpy(mirror_ + mirrored_, source_ + mirrored_, seen_end_ - mirrored_);
        mirrored_ = seen_end_;
    }

private:
    bool build_array(simdjson::dom::array array, Value& slot, size_t depth) {
        if (depth == max_depth_) return false;
        slot.kind_ = Kind::array;
        Value::ArrayRep& rep = slot.payload_.array;
        rep = {};
        rep.capacity = checked_count(count(array));
        rep.items = allocate<Value>(arena_, rep.capacity);
        // A failed build discards the whole Document, so `size` is only set at the end.
        uint32_t size = 0;
        for (const simdjson::dom::element child : array) {
            Value* item = new (rep.items + size++) Value(arena_, Kind::null);
            if (!build_child(child, *item, depth + 1)) return false;
        }
        rep.size = size;
        return true;
    }

    bool build_object(simdjson::dom::object object, Value& slot, size_t depth) {
        if (depth == max_depth_) return false;
        slot.kind_ = Kind::object;
        Value::ObjectRep& rep = slot.payload_.object;
        rep = {};
        rep.capacity = checked_count(count(object));
        rep.members = allocate<Member>(arena_, rep.capacity);
        // A 128-bit filter of key fingerprints (read from simdjson's copy of the keys, which is
        // in cache) clears most objects of duplicate keys without comparing any.
        uint64_t low_bits = 0;
        uint64_t high_bits = 0;
        bool maybe_duplicate = false;
        uint32_t size = 0;
        for (const simdjson::dom::key_value_pair field : object) {
            const uint32_t bit = fingerprint(field.key) >> 25;  // 0..127
            const uint64_t low_mask = bit < 64 ? uint64_t{1} << bit : 0;
            const uint64_t high_mask = bit < 64 ? 0 : uint64_t{1} << (bit - 64);
            maybe_duplicate |= ((low_bits & low_mask) | (high_bits & high_mask)) != 0;
            low_bits |= low_mask;
            high_bits |= high_mask;
            Member* member =
                new (rep.members + size++) Member(intern(field.key), Value(arena_, Kind::null));
            if (!build_child(field.value, member->value_, depth + 1)) return false;
        }
        rep.size = size;
        if (maybe_duplicate || size > kFilterLimit) keep_last_of_duplicate_keys(rep);
        return true;
    }

    // Scalars inline, containers through a call: most values are scalars.
    [[gnu::always_inline]] bool build_child(simdjson::dom::element element, Value& slot,
                                            size_t depth) {
        const Type type = element.type();
        if (type == Type::ARRAY || type == Type::OBJECT) return build(element, slot, depth);
        build_scalar(element, type, slot);
        return true;
    }

    [[gnu::always_inline]] void build_scalar(simdjson::dom::element element, Type type,
                                             Value& slot) {
        switch (type) {
            case Type::INT64:
                slot.kind_ = Kind::int64;
                slot.payload_.int64 = element.get_int64().value_unsafe();
                return;
            case Type::UINT64:  // simdjson uses it only above INT64_MAX, as Value does
                slot.kind_ = Kind::uint64;
                slot.payload_.uint64 = element.get_uint64().value_unsafe();
                return;
            case Type::DOUBLE:  // always finite: simdjson rejects numbers beyond double's range
                slot.kind_ = Kind::float64;
                slot.payload_.float64 = element.get_double().value_unsafe();
                return;
            case Type::STRING: {
                const std::string_view text = intern(element.get_string().value_unsafe());
                slot.kind_ = Kind::string;
                slot.payload_.string = {text.data(), text.size()};
                return;
            }
            case Type::BOOL:
                slot.kind_ = Kind::boolean;
                slot.payload_.boolean = element.get_bool().value_unsafe();
                return;
            case Type::NULL_VALUE:
            case Type::ARRAY:
            case Type::OBJECT:
                return;  // containers go through build()
        }
    }

    // simdjson's O(1) size saturates at 0xFFFFFF; count larger containers one by one.
    template <class Container>
    static size_t count(const Container& container) {
        size_t n = container.size();
        if (n < 0xFFFFFF) return n;
        n = 0;
        for (auto it = container.begin(); it != container.end(); ++it) ++n;
        return n;
    }

    // Strings and keys point at their offset in `mirror_`, an arena block that receives
    // simdjson's string buffer in a few large copies (sync()) rather than one copy per string.
    // A string from elsewhere (which simdjson does not produce) is copied alone.
    std::string_view intern(std::string_view text) {
        const size_t offset =
            reinterpret_cast<uintptr_t>(text.data()) - reinterpret_cast<uintptr_t>(source_);
        if (offset > mirror_size_ || text.size() > mirror_size_ - offset) {
            return copy_chars(arena_, text);
        }
        seen_end_ = std::max(seen_end_, offset + text.size());
        return {mirror_ + offset, text.size()};
    }

    // The last value of a repeated key replaces the first one's, at the first one's position.
    void keep_last_of_duplicate_keys(Value::ObjectRep& object) {
        sync();
        if (object.size <= kFilterLimit && !has_duplicate_key(object.members, object.size)) return;
        merge_duplicate_keys(object);
    }

    static bool has_duplicate_key(const Member* members, uint32_t n) {
        for (uint32_t i = 1; i < n; ++i) {
            for (uint32_t j = 0; j < i; ++j) {
                if (members[i].key_ == members[j].key_) return true;
            }
        }
        return false;
    }

    // Sorts member indices by (fingerprint, key, position), so that the members of one key are
    // adjacent and in order: O(n log n) whatever the keys.
    void merge_duplicate_keys(Value::ObjectRep& object) {
        const uint32_t n = object.size;
        Member* members = object.members;
        fingerprints_.resize(n);
        for (uint32_t i = 0; i < n; ++i) fingerprints_[i] = fingerprint(members[i].key_);
        order_.resize(n);
        std::iota(order_.begin(), order_.end(), 0u);
        std::sort(order_.begin(), order_.end(), [&](uint32_t a, uint32_t b) {
            if (fingerprints_[a] != fingerprints_[b]) return fingerprints_[a] < fingerprints_[b];
            const int compared = members[a].key_.compare(members[b].key_);
            return compared < 0 || (compared == 0 && a < b);
        });
        removed_.assign(n, false);
        bool any = false;
        for (uint32_t run = 0; run < n;) {
            uint32_t end = run + 1;
            while (end < n && members[order_[end]].key_ == members[order_[run]].key_) ++end;
            if (end - run > 1) {
                any = true;
                members[order_[run]].value_ = std::move(members[order_[end - 1]].value_);
                for (uint32_t k = run + 1; k < end; ++k) removed_[order_[k]] = true;
            }
            run = end;
        }
        if (!any) return;
        uint32_t kept = 0;
        for (uint32_t i = 0; i < n; ++i) {
            if (removed_[i]) continue;
            if (kept != i) members[kept] = std::move(members[i]);
            ++kept;
        }
        object.size = kept;
    }

    // A hash of a key's size and first and last bytes; its high bits are the best mixed.
    static uint32_t fingerprint(std::string_view key) {
        uint32_t head = 0;
        uint32_t tail = 0;
        if (key.size() >= 4) {
            std::memcpy(&head, key.data(), 4);
            std::memcpy(&tail, key.data() + key.size() - 4, 4);
        } else {
            for (const char c : key) head = (head << 8) | static_cast<unsigned char>(c);
        }
        return (head ^ (tail * 0x85EBCA77u) ^ static_cast<uint32_t>(key.size())) * 0x9E3779B1u;
    }

    // Objects up to this size go through the filter and, when it sees a repeated fingerprint,
    // pairwise comparisons; larger ones are sorted (crafted keys could make every fingerprint
    // repeat, and pairwise comparisons of many keys are quadratic).
    static constexpr uint32_t kFilterLimit = 32;

    std::pmr::memory_resource* arena_;
    size_t max_depth_;
    const char* source_;
    size_t mirror_size_;
    char* mirror_;
    size_t mirrored_ = 0;  // mirror_[0, mirrored_) holds source_'s bytes
    size_t seen_end_ = 0;  // the end of the furthest string intern() returned
    std::vector<uint32_t> fingerprints_;
    std::vector<uint32_t> order_;
    std::vector<bool> removed_;
};

namespace {

// A parser keeps its buffers between documents; one that big stays with the thread no longer.
constexpr size_t kReusedParserMaxBytes = size_t{1} << 20;

// The code unit of the escape \uXXXX at text[i], or -1 when there is none.
int32_t escaped_code_unit(std::string_view text, size_t i) {
    if (i + 6 > text.size() || text[i] != '\\' || text[i + 1] != 'u') return -1;
    int32_t unit = 0;
    for (size_t k = i + 2; k < i + 6; ++k) {
        const char c = text[k];
        int digit = -1;
        if (c >= '0' && c <= '9') digit = c - '0';
        if (c >= 'a' && c <= 'f') digit = c - 'a' + 10;
        if (c >= 'A' && c <= 'F') digit = c - 'A' + 10;
        if (digit < 0) return -1;
        unit = unit * 16 + digit;
    }
    return unit;
}

bool is_number_char(char c) {
    return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E';
}

bool is_integer_beyond_64_bits(std::string_view number) {
    if (number.find_first_of(".eE") != std::string_view::npos) return false;
    const char* end = number.data() + number.size();
    if (number.front() == '-') {
        int64_t value = 0;
        return std::from_chars(number.data(), end, value).ec == std::errc::result_out_of_range;
    }
    uint64_t value = 0;
    return std::from_chars(number.data(), end, value).ec == std::errc::result_out_of_range;
}

// Rewrites what simdjson rejects but JSON.parse accepts: a lone surrogate escape becomes \ufffd
// (counted in `replaced`), an integer literal beyond 64 bits gets ".0" so it reads as a double.
// nullopt when there is nothing of the kind.
std::optional<std::string> rewrite_rejected_tokens(std::string_view text, size_t& replaced) {
    std::string out;
    out.reserve(text.size() + 64);
    bool changed = false;
    size_t i = 0;
    while (i < text.size()) {
        const char c = text[i];
        if (c == '"') {
            out.push_back(c);
            ++i;
            while (i < text.size() && text[i] != '"') {
                if (text[i] != '\\') {
                    out.push_back(text[i++]);
                    continue;
                }
                const int32_t unit = escaped_code_unit(text, i);
                if (unit >= 0xD800 && unit <= 0xDBFF) {
                    const int32_t next = escaped_code_unit(text, i + 6);
                    if (next >= 0xDC00 && next <= 0xDFFF) {
                        out.append(text.substr(i, 12));
                        i += 12;
                        continue;
                    }
                }
                if (unit >= 0xD800 && unit <= 0xDFFF) {
                    out.append("\\ufffd");
                    i += 6;
                    ++replaced;
                    changed = true;
                    continue;
                }
                out.append(text.substr(i, 2));
                i += 2;
            }
            if (i < text.size()) out.push_back(text[i++]);  // the closing quote
        } else if (c == '-' || (c >= '0' && c <= '9')) {
            size_t end = i + 1;
            while (end < text.size() && is_number_char(text[end])) ++end;
            const std::string_view number = text.substr(i, end - i);
            out.append(number);
            if (is_integer_beyond_64_bits(number)) {
                out.append(".0");
                changed = true;
            }
            i = end;
        } else {
            out.push_back(c);
            ++i;
        }
    }
    if (!changed) return std::nullopt;
    return out;
}

std::string too_deep(size_t max_depth) {
    return "JSON nested deeper than " + std::to_string(max_depth) + " arrays/objects";
}

}  // namespace

ParseResult parse(std::string_view text, const ParseOptions& options) {
    ParseResult result;
    thread_local simdjson::dom::parser reused_parser;
    std::optional<simdjson::dom::parser> one_off_parser;
    simdjson::dom::parser& parser =
        text.size() <= kReusedParserMaxBytes ? reused_parser : one_off_parser.emplace();
    // simdjson counts a scalar inside the innermost container as one more level: "[[1]]" is 3.
    const size_t simdjson_depth = options.max_depth + 1;
    if (parser.max_depth() != simdjson_depth &&
        parser.allocate(std::max({text.size(), parser.capacity(), size_t{64}}), simdjson_depth)) {
        result.error = "out of memory";
        return result;
    }

    std::string repaired;  // the input after repairs, when it needed any
    std::string_view input = text;
    simdjson::dom::element root;
    const auto parse_input = [&] { return parser.parse(input.data(), input.size()).get(root); };
    simdjson::error_code error = parse_input();
    if (error == simdjson::UTF8_ERROR) {
        size_t replaced = 0;
        repaired = repair_utf8(input, &replaced);
        result.utf8_replacements += replaced;
        input = repaired;
        error = parse_input();
    }
    if (error == simdjson::STRING_ERROR || error == simdjson::NUMBER_ERROR) {
        size_t replaced = 0;
        if (std::optional<std::string> rewritten = rewrite_rejected_tokens(input, replaced)) {
            repaired = std::move(*rewritten);
            result.utf8_replacements += replaced;
            input = repaired;
            error = parse_input();
        }
    }
    if (error == simdjson::DEPTH_ERROR) {
        result.error = too_deep(options.max_depth);
        return result;
    }
    if (error) {
        result.error = simdjson::error_message(error);
        return result;
    }

    // Room for the string mirror (5/3 of the input) and the nodes; pages of a large block that
    // are never written cost no memory.
    Document document(input.size() * 4);
    // string_buf is marked @private in simdjson, but it is the DOM's documented string store.
    TreeBuilder builder(document, options.max_depth,
                        reinterpret_cast<const char*>(parser.doc.string_buf.get()), input.size());
    if (!builder.build(root, document.root(), 0)) {
        result.error = too_deep(options.max_depth);
        return result;
    }
    builder.sync();
    result.document = std::move(document);
    return result;
}

// ---- write ------------------------------------------------------------------------------------

namespace {

// Shortest round-trip, with ".0" when it would otherwise read back as an integer.
void write_double(double number, JsonWriter& out) {
    char buffer[40];
    char* end = std::to_chars(buffer, buffer + sizeof buffer - 2, number).ptr;
    if (std::string_view(buffer, end).find_first_of(".e") == std::string_view::npos) {
        *end++ = '.';
        *end++ = '0';
    }
    out.raw(std::string_view(buffer, end));
}

}  // namespace

void write(const Value& value, JsonWriter& out) {
    switch (value.kind()) {
        case Kind::null:
            out.null();
            return;
        case Kind::boolean:
            out.value(*value.as_bool());
            return;
        case Kind::int64:
            out.value(*value.as_int64());
            return;
        case Kind::uint64:
            out.value(*value.as_uint64());
            return;
        case Kind::float64:
            write_double(*value.as_double(), out);
            return;
        case Kind::string:
            out.value(*value.as_string());
            return;
        case Kind::array:
            out.begin_array();
            for (const Value& item : value.elements()) write(item, out);
            out.end_array();
            return;
        case Kind::object:
            out.begin_object();
            for (const auto& [key, member_value] : value.members()) {
                out.key(key);
                write(member_value, out);
            }
            out.end_object();
            return;
    }
}

std::string to_string(const Value& value) {
    JsonWriter out;
    write(value, out);
    return out.take();
}

std::optional<std::string> lenient_string(const Value& value) {
    switch (value.kind()) {
        case Kind::string:
            return std::string(*value.as_string());
        case Kind::boolean:
            return *value.as_bool() ? "true" : "false";
        case Kind::int64:
        case Kind::uint64:
        case Kind::float64:
            break;
        default:
            return std::nullopt;
    }
    if (auto integer = value.as_int64()) {
        // Whole floats beyond 17 digits are not exact integers any more: JSON text for them.
        if (value.is_double() &&
            (*integer > 99'999'999'999'999'999 || *integer < -99'999'999'999'999'999)) {
            return to_string(value);
        }
        return std::to_string(*integer);
    }
    if (auto integer = value.as_uint64()) return std::to_string(*integer);
    return to_string(value);
}

const Value* field(const Value* object, std::string_view key) {
    return object != nullptr ? object->find(key) : nullptr;
}

std::string_view text(const Value* object, std::string_view key) {
    const Value* value = field(object, key);
    return value != nullptr ? value->as_string().value_or("") : "";
}

bool is_true(const Value* value) {
    return value != nullptr && value->as_bool().value_or(false);
}

std::span<const Value> elements(const Value* value) {
    return value != nullptr ? value->elements() : std::span<const Value>{};
}

bool truthy(const Value* value) {
    if (value == nullptr) return false;
    switch (value->kind()) {
        case Kind::null:
            return false;
        case Kind::boolean:
            return *value->as_bool();
        case Kind::string:
            return !value->as_string()->empty();
        case Kind::array:
        case Kind::object:
            return value->size() > 0;
        default:
            return value->as_double().value_or(0) != 0;
    }
}

}  // namespace lt::json
