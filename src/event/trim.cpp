#include "event/trim.h"

#include <algorithm>
#include <limits>
#include <span>
#include <string_view>

#include "core/text.h"
#include "event/meta.h"

namespace lt {

namespace {

using json::Document;
using json::Value;

constexpr size_t kUnlimited = std::numeric_limits<size_t>::max();
constexpr std::string_view kEllipsis = "...";

struct CharLimit {
    size_t chars;
    size_t allowance = 0;
};

constexpr CharLimit kEnumLike{128};
constexpr CharLimit kSymbol{256, 20};
constexpr CharLimit kPath{256, 40};
constexpr CharLimit kMessage{8192, 200};

// Relay's estimate_size_flat: the value's JSON size without its items (and without escaping).
size_t flat_size(const Value& value) {
    switch (value.kind()) {
        case json::Kind::null:
            return 4;
        case json::Kind::boolean:
            return *value.as_bool() ? 4 : 5;
        case json::Kind::string:
            return value.as_string()->size() + 2;
        case json::Kind::array:
        case json::Kind::object:
            return 2;
        default:
            return json::to_string(value).size();
    }
}

// An object of `count` members (key(i), item(i)), in order; the keys are distinct, so members are
// appended without a lookup. The items are moved out.
template <typename KeyFn, typename ItemFn>
Value object_of(Document& doc, size_t count, KeyFn key, ItemFn item) {
    Value object = doc.make_object();
    object.reserve(count);
    for (size_t i = 0; i < count; ++i) object.append(key(i), std::move(item(i)));
    return object;
}

class Trimmer {
public:
    Trimmer(Document& doc, TrimRemarks& remarks) : doc_(doc), remarks_(remarks) {}

    void run() {
        Value& event = doc_.root();
        for_each_value(event, "exception", [&](Value& exception) { trim_exception(exception); });
        for_each_value(event, "threads", [&](Value& thread) {
            trim_stacktrace(thread, "stacktrace");
            trim_stacktrace(thread, "raw_stacktrace");
        });
        trim_stacktrace(event, "stacktrace");
        for_each_value(event, "breadcrumbs", [&](Value& crumb) {
            limit(crumb, "type", kEnumLike);
            limit(crumb, "category", kEnumLike);
            limit(crumb, "message", kMessage);
            bag(crumb, "data", kBagMedium);
        });
        if (Value* user = object(event, "user")) {
            Enter enter(*this, "user");
            limit(*user, "id", kEnumLike);
            limit(*user, "username", kEnumLike);
            limit(*user, "name", kEnumLike);
            limit(*user, "email", {75});
        }
        if (Value* request = object(event, "request")) {
            Enter enter(*this, "request");
            limit(*request, "url", kPath);
            limit(*request, "fragment", {1024, 100});
            bag(*request, "data", kBagLarge);
            bag(*request, "query_string", kBagSmall, std::nullopt, Shape::pairs);
            bag(*request, "cookies", kBagMedium, std::nullopt, Shape::pairs);
            bag(*request, "headers", kBagLarge, std::nullopt, Shape::pairs);
            bag(*request, "env", kBagLarge);
        }
        if (Value* contexts = object(event, "contexts")) {
            Enter enter(*this, "contexts");
            for (auto& [key, context] : contexts->members()) {
                Enter inner(*this, key);
                std::optional<std::string> type;
                if (auto text = context.is_object() && context.find("type") != nullptr
                                    ? context.find("type")->as_string()
                                    : std::nullopt) {
                    type = std::string(*text);
                }
                process(context, kBagLarge);
                // The context's kind outlives a cut (Relay would cut it like any other key).
                if (type && context.is_object() && context.find("type") == nullptr) {
                    context.set("type", doc_.make_string(*type));
                }
            }
        }
        bag(event, "extra", kBagMassive, kBagLarger);
    }

private:
    // Pushes a path segment for the life of the object.
    class Enter {
    public:
        Enter(Trimmer& trimmer, std::string_view segment) : trimmer_(trimmer) {
            trimmer_.path_.emplace_back(segment);
        }
        Enter(Trimmer& trimmer, size_t index) : trimmer_(trimmer) {
            trimmer_.path_.push_back(std::to_string(index));
        }
        ~Enter() { trimmer_.path_.pop_back(); }
        Enter(const Enter&) = delete;
        Enter& operator=(const Enter&) = delete;

    private:
        Trimmer& trimmer_;
    };

    // What a bag holds: any JSON, or a list of [name, value] string pairs (headers, cookies,
    // query string), whose pairs are never split.
    enum class Shape { any, pairs, pair };

    struct Bag {
        size_t max_depth;
        size_t depth;  // path length at the bag's root
        size_t remaining;
    };

    static Value* object(Value& parent, std::string_view key) {
        Value* value = parent.find(key);
        return value != nullptr && value->is_object() ? value : nullptr;
    }

    // Calls `fn` on each object of parent[key].values (a normalized Values container).
    template <typename Fn>
    void for_each_value(Value& parent, std::string_view key, Fn fn) {
        Value* container = object(parent, key);
        Value* values = container != nullptr ? container->find("values") : nullptr;
        if (values == nullptr || !values->is_array()) return;
        Enter outer(*this, key);
        Enter inner(*this, "values");
        size_t index = 0;
        for (Value& item : values->elements()) {
            Enter at(*this, index++);
            if (item.is_object()) fn(item);
        }
    }

    void trim_exception(Value& exception) {
        limit(exception, "type", kSymbol);
        limit(exception, "value", kMessage);
        limit(exception, "module", kSymbol);
        if (Value* mechanism = object(exception, "mechanism")) {
            Enter enter(*this, "mechanism");
            limit(*mechanism, "type", kEnumLike);
            limit(*mechanism, "source", kEnumLike);
            limit(*mechanism, "description", kMessage);
            limit(*mechanism, "help_link", kPath);
            bag(*mechanism, "data", kBagMedium);
        }
        trim_stacktrace(exception, "stacktrace");
        trim_stacktrace(exception, "raw_stacktrace");
    }

    void trim_stacktrace(Value& parent, std::string_view key) {
        Value* stacktrace = object(parent, key);
        if (stacktrace == nullptr) return;
        Enter enter(*this, key);
        limit(*stacktrace, "lang", kEnumLike);
        Value* frames = stacktrace->find("frames");
        if (frames == nullptr || !frames->is_array()) return;
        Enter at_frames(*this, "frames");
        const size_t count = frames->size();
        if (count > kMaxFrames) {
            Value kept = doc_.make_array();
            kept.reserve(kMaxFrames);
            for (Value& frame : frames->elements().last(kMaxFrames))
                kept.push_back(std::move(frame));
            *frames = std::move(kept);
            remarks_.container_cut(path_, count);
        }
        size_t index = 0;
        for (Value& frame : frames->elements()) {
            Enter at(*this, index++);
            if (frame.is_object()) trim_frame(frame);
        }
        slim_frames(*frames);
    }

    void trim_frame(Value& frame) {
        for (const char* key : {"function", "raw_function", "symbol"}) limit(frame, key, kSymbol);
        for (const char* key : {"filename", "abs_path"}) limit(frame, key, kPath);
        limit(frame, "lang", kEnumLike);
        limit(frame, "trust", kEnumLike);
        Value* vars = frame.find("vars");
        if (vars != nullptr && vars->is_array()) {
            // Relay's FrameVars: a list of values is an object keyed by position.
            const auto items = vars->elements();
            *vars = object_of(
                doc_, items.size(), [](size_t i) { return std::to_string(i); },
                [&](size_t i) -> Value& { return items[i]; });
        }
        bag(frame, "vars", kBagMedium);
    }

    // Relay's slim_frame_data: beyond kFrameAllowance frames, the middle ones lose their source
    // context and variables; system frames go first, in-app frames only if still needed.
    static void slim_frames(Value& frames) {
        const size_t count = frames.size();
        if (count <= kFrameAllowance) return;
        std::vector<size_t> app;
        std::vector<size_t> system;
        auto items = frames.elements();
        for (size_t i = 0; i < count; ++i) {
            if (!items[i].is_object()) continue;
            const Value* in_app = items[i].find("in_app");
            (in_app != nullptr && in_app->as_bool() == true ? app : system).push_back(i);
        }
        auto middle = [](const std::vector<size_t>& indexes, size_t keep_half) {
            if (keep_half * 2 > indexes.size()) return std::span<const size_t>();
            return std::span<const size_t>(indexes).subspan(keep_half,
                                                            indexes.size() - 2 * keep_half);
        };
        const size_t system_half =
            (kFrameAllowance > app.size() ? kFrameAllowance - app.size() : 0) / 2;
        const std::span<const size_t> system_cut = middle(system, system_half);
        const size_t over = count - kFrameAllowance;
        const size_t still = over > system_cut.size() ? over - system_cut.size() : 0;
        const size_t app_half = (app.size() > still ? app.size() - still : 0) / 2;
        const std::span<const size_t> app_cut = middle(app, app_half);
        for (std::span<const size_t> cut : {system_cut, app_cut}) {
            for (size_t i : cut) {
                for (const char* key : {"vars", "pre_context", "post_context"}) items[i].erase(key);
            }
        }
    }

    // Cuts parent[key], a string, when longer than the limit (plus allowance).
    void limit(Value& parent, std::string_view key, CharLimit limit) {
        Value* value = parent.find(key);
        if (value == nullptr || !value->is_string()) return;
        if (value->as_string()->size() <= limit.chars + limit.allowance) return;  // the usual case
        Enter enter(*this, key);
        cut_string(*value, limit.chars, limit.allowance);
    }

    void cut_string(Value& value, size_t chars, size_t allowance) {
        const std::string_view text = *value.as_string();
        if (text.size() <= chars + allowance) return;  // bytes >= code points
        const size_t original = code_points(text);
        const size_t limit = std::max(chars, kEllipsis.size());
        if (original <= limit + allowance) return;
        const size_t kept = limit - kEllipsis.size();
        std::string cut(code_point_prefix(text, kept));
        cut += kEllipsis;
        value = doc_.make_string(cut);
        remarks_.string_cut(path_, original, limit);
    }

    // Trims parent[key] as a databag; `inner` is the bag of each of its items (extra values).
    void bag(Value& parent, std::string_view key, BagLimits limits,
             std::optional<BagLimits> inner = std::nullopt, Shape shape = Shape::any) {
        Value* value = parent.find(key);
        if (value == nullptr || value->is_null()) return;
        Enter enter(*this, key);
        process(*value, limits, inner, shape);
    }

    size_t remaining_size() const {
        size_t least = kUnlimited;
        for (const Bag& bag : bags_) least = std::min(least, bag.remaining);
        return least;
    }

    size_t remaining_depth() const {
        size_t least = kUnlimited;
        for (const Bag& bag : bags_) {
            const size_t used = path_.size() - bag.depth;
            least = std::min(least, bag.max_depth > used ? bag.max_depth - used : 0);
        }
        return least;
    }

    // Relay's TrimmingProcessor on one value at the current path; false when the value has no
    // room left (the caller removes it). `bag` starts a databag here; `child_bag` starts one at
    // each item. A `forced` value is kept even without room (strings become "...").
    bool process(Value& value, std::optional<BagLimits> bag,
                 std::optional<BagLimits> child_bag = std::nullopt, Shape shape = Shape::any,
                 bool forced = false) {
        if (bag) bags_.push_back({bag->max_depth, path_.size(), bag->max_bytes});
        const bool keep = forced || (remaining_size() != 0 && remaining_depth() != 0);
        if (keep) {
            if ((value.is_array() || value.is_object()) && remaining_depth() == 1 &&
                shape == Shape::any) {
                value = doc_.make_string(json::to_string(value));
            }
            if (value.is_string() && !bags_.empty()) {
                cut_string(value, bags_.back().remaining, 0);
            } else if (value.is_array() || value.is_object()) {
                process_items(value, child_bag, shape);
            }
        }
        if (bag) bags_.pop_back();
        const size_t used = (keep ? flat_size(value) : 0) + 1;
        for (Bag& open : bags_) open.remaining -= std::min(open.remaining, used);
        return keep;
    }

    void process_items(Value& container, std::optional<BagLimits> child_bag, Shape shape) {
        const size_t count = container.size();
        size_t kept = count;
        if (container.is_array() && shape == Shape::pair) {
            // A [name, value] pair is one item (Relay's tuple): both halves stay.
            size_t index = 0;
            for (Value& item : container.elements()) {
                Enter enter(*this, index++);
                process(item, std::nullopt, std::nullopt, Shape::any, true);
            }
        } else if (container.is_array()) {
            auto items = container.elements();
            const Shape item_shape = shape == Shape::pairs ? Shape::pair : Shape::any;
            for (size_t i = 0; i < count; ++i) {
                if (remaining_size() == 0) {
                    kept = i;
                    break;
                }
                Enter enter(*this, i);
                if (!process(items[i], child_bag, std::nullopt, item_shape)) {
                    items[i] = doc_.make_null();
                }
            }
            if (kept < count) {
                Value first = doc_.make_array();
                first.reserve(kept);
                for (Value& item : items.first(kept)) first.push_back(std::move(item));
                container = std::move(first);
            }
        } else {
            auto members = container.members();
            for (size_t i = 0; i < count; ++i) {
                if (remaining_size() == 0) {
                    kept = i;
                    break;
                }
                Enter enter(*this, members[i].key());
                if (!process(members[i].value(), child_bag)) {
                    members[i].value() = doc_.make_null();
                }
            }
            if (kept < count) {
                container = object_of(
                    doc_, kept, [&](size_t i) { return members[i].key(); },
                    [&](size_t i) -> Value& { return members[i].value(); });
            }
        }
        if (kept < count) remarks_.container_cut(path_, count);
    }

    Document& doc_;
    TrimRemarks& remarks_;
    std::vector<std::string> path_;
    std::vector<Bag> bags_;
};

}  // namespace

void TrimRemarks::string_cut(const Path& path, size_t original_chars, size_t kept_chars) {
    remarks_.push_back(
        {path, original_chars, std::pair(kept_chars - kEllipsis.size(), kept_chars)});
}

void TrimRemarks::container_cut(const Path& path, size_t original_length) {
    remarks_.push_back({path, original_length, std::nullopt});
}

void TrimRemarks::write(Document& event) const {
    if (remarks_.empty() || !event.root().is_object()) return;
    for (const Remark& remark : remarks_) {
        Value& entry = meta_entry(event, remark.path);
        if (remark.range) add_remark(event, entry, "!limit", "s", remark.range);
        set_original_length(event, entry, remark.length);
    }
}

void limit_breadcrumbs(Document& event, TrimRemarks& remarks) {
    Value* breadcrumbs = event.root().find("breadcrumbs");
    Value* values = breadcrumbs != nullptr ? breadcrumbs->find("values") : nullptr;
    if (values == nullptr || !values->is_array() || values->size() <= kMaxBreadcrumbs) return;
    const size_t count = values->size();
    Value newest = event.make_array();
    newest.reserve(kMaxBreadcrumbs);
    for (Value& crumb : values->elements().last(kMaxBreadcrumbs))
        newest.push_back(std::move(crumb));
    *values = std::move(newest);
    remarks.container_cut({"breadcrumbs", "values"}, count);
}

void trim_event(Document& event, TrimRemarks& remarks) {
    if (!event.root().is_object()) return;
    Trimmer(event, remarks).run();
}

}  // namespace lt
