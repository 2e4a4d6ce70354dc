#include "grouping/glob.h"

#include <memory>
#include <string>
#include <utility>

#include "core/text.h"

namespace lt {
namespace {

// One character of the pattern: its code point (for range checks) and its UTF-8 bytes.
struct Char {
    uint32_t code = 0;
    std::string_view bytes;
};

std::vector<Char> decode(std::string_view text) {
    std::vector<Char> out;
    for (size_t pos = 0; pos < text.size();) {
        const size_t length = char_length(text, pos);
        out.push_back(Char{code_point_at(text, pos, length), text.substr(pos, length)});
        pos += length;
    }
    return out;
}

struct Token;
using Tokens = std::vector<Token>;

// globset's tokens.
struct Token {
    enum class Kind {
        literal,
        any,
        zero_or_more,
        recursive_prefix,        // (?:/?|.*/)
        recursive_suffix,        // /.*
        recursive_zero_or_more,  // (?:/|/.*/)
        byte_class,
        alternates,
    };
    Kind kind = Kind::literal;
    std::string_view literal;  // the character's bytes
    bool negated = false;
    std::vector<std::pair<Char, Char>> ranges;
    std::vector<Tokens> alternatives;
};

Token make(Token::Kind kind) {
    Token token;
    token.kind = kind;
    return token;
}

bool is_separator(const Char* c) {
    return c != nullptr && c->code == '/';
}

// globset's Parser, character for character.
class Parser {
public:
    explicit Parser(std::string_view pattern) : chars_(decode(pattern)) {}

    std::optional<Tokens> parse() {
        branches_.emplace_back();
        while (const Char* c = bump()) {
            bool ok = true;
            switch (c->code) {
                case '?':
                    push(make(Token::Kind::any));
                    break;
                case '*':
                    ok = parse_star();
                    break;
                case '[':
                    ok = parse_class();
                    break;
                case '{':
                    alternates_stack_.push_back(branches_.size());
                    branches_.emplace_back();
                    break;
                case '}':
                    ok = pop_alternate();
                    break;
                case ',':
                    if (alternates_stack_.empty()) {
                        push(literal(*c));
                    } else {
                        branches_.emplace_back();
                    }
                    break;
                case '\\': {
                    const Char* escaped = bump();
                    if (escaped == nullptr) {
                        return std::nullopt;  // dangling escape
                    }
                    push(literal(*escaped));
                    break;
                }
                default:
                    push(literal(*c));
            }
            if (!ok) {
                return std::nullopt;
            }
        }
        if (branches_.size() != 1) {
            return std::nullopt;  // unclosed alternates
        }
        return std::move(branches_.front());
    }

private:
    static Token literal(const Char& c) {
        Token token = make(Token::Kind::literal);
        token.literal = c.bytes;
        return token;
    }

    const Char* bump() {
        prev_ = cur_;
        cur_ = next_ < chars_.size() ? &chars_[next_++] : nullptr;
        if (cur_ == nullptr) {
            next_ = chars_.size() + 1;  // stays exhausted
        }
        return cur_;
    }

    const Char* peek() const { return next_ < chars_.size() ? &chars_[next_] : nullptr; }

    void push(Token token) { branches_.back().push_back(std::move(token)); }

    bool have_tokens() const { return !branches_.back().empty(); }

    bool pop_alternate() {
        if (alternates_stack_.empty()) {
            return false;  // a '}' that closes nothing
        }
        const size_t start = alternates_stack_.back();
        alternates_stack_.pop_back();
        Token token = make(Token::Kind::alternates);
        for (size_t i = start; i < branches_.size(); ++i) {
            token.alternatives.push_back(std::move(branches_[i]));
        }
        branches_.resize(start);
        push(std::move(token));
        return true;
    }

    bool parse_star() {
        const Char* prev = prev_;
        const Char* following = peek();
        if (following == nullptr || following->code != '*') {
            push(make(Token::Kind::zero_or_more));
            return true;
        }
        bump();  // the second '*'
        const auto two_stars = [&] {
            push(make(Token::Kind::zero_or_more));
            push(make(Token::Kind::zero_or_more));
        };
        if (!have_tokens()) {
            following = peek();
            if (following != nullptr && !is_separator(following)) {
                two_stars();
            } else {
                push(make(Token::Kind::recursive_prefix));
                bump();  // the separator, if any
            }
            return true;
        }
        if (!is_separator(prev)) {
            if (branches_.size() <= 1 || prev == nullptr ||
                (prev->code != ',' && prev->code != '{')) {
                two_stars();
                return true;
            }
        }
        following = peek();
        bool is_suffix = false;
        if (following == nullptr) {
            bump();
            is_suffix = true;
        } else if ((following->code == ',' || following->code == '}') && branches_.size() >= 2) {
            is_suffix = true;
        } else if (is_separator(following)) {
            bump();
            is_suffix = false;
        } else {
            two_stars();
            return true;
        }
        Token last = std::move(branches_.back().back());
        branches_.back().pop_back();
        if (last.kind == Token::Kind::recursive_prefix ||
            last.kind == Token::Kind::recursive_suffix) {
            push(std::move(last));
        } else {
            push(make(is_suffix ? Token::Kind::recursive_suffix
                                : Token::Kind::recursive_zero_or_more));
        }
        return true;
    }

    bool parse_class() {
        Token token = make(Token::Kind::byte_class);
        if (const Char* first = peek();
            first != nullptr && (first->code == '!' || first->code == '^')) {
            bump();
            token.negated = true;
        }
        bool first = true;
        bool in_range = false;
        while (true) {
            const Char* c = bump();
            if (c == nullptr) {
                return false;  // unclosed class
            }
            if (c->code == ']' && !first) {
                break;
            }
            if (c->code == '-' && !first) {
                if (in_range) {
                    token.ranges.back().second = *c;
                    if (c->code < token.ranges.back().first.code) {
                        return false;
                    }
                    in_range = false;
                } else {
                    in_range = true;
                }
            } else if (in_range) {
                token.ranges.back().second = *c;
                if (c->code < token.ranges.back().first.code) {
                    return false;  // reversed range
                }
                in_range = false;
            } else {
                token.ranges.emplace_back(*c, *c);
            }
            first = false;
        }
        if (in_range) {
            const Char dash{'-', "-"};
            token.ranges.emplace_back(dash, dash);
        }
        push(std::move(token));
        return true;
    }

    std::vector<Char> chars_;
    size_t next_ = 0;
    const Char* prev_ = nullptr;
    const Char* cur_ = nullptr;
    std::vector<Tokens> branches_;
    std::vector<size_t> alternates_stack_;
};

// True when globset's regex for these tokens is empty (only empty alternations).
bool regex_empty(const Tokens& tokens) {
    for (const Token& token : tokens) {
        if (token.kind != Token::Kind::alternates) {
            return false;
        }
        for (const Tokens& branch : token.alternatives) {
            if (!regex_empty(branch)) {
                return false;
            }
        }
    }
    return true;
}

using ByteSet = std::array<uint64_t, 4>;

void add(ByteSet& set, unsigned byte) {
    set[byte >> 6] |= uint64_t{1} << (byte & 63);
}

bool has(const ByteSet& set, unsigned byte) {
    return ((set[byte >> 6] >> (byte & 63)) & 1) != 0;
}

ByteSet all_bytes(bool except_slash) {
    ByteSet set;
    set.fill(~uint64_t{0});
    if (except_slash) {
        set['/' >> 6] &= ~(uint64_t{1} << ('/' & 63));
    }
    return set;
}

void fold_case(ByteSet& set) {
    for (unsigned c = 'a'; c <= 'z'; ++c) {
        if (has(set, c) || has(set, c - 32)) {
            add(set, c);
            add(set, c - 32);
        }
    }
}

}  // namespace

class GlobCompiler {
public:
    GlobCompiler(Glob& glob, const GlobOptions& options) : glob_(glob), options_(options) {}

    // Returns the start state; false in `ok` when the byte regex would not compile.
    int sequence(const Tokens& tokens, int next) {
        for (auto it = tokens.rbegin(); it != tokens.rend(); ++it) {
            next = token(*it, next);
        }
        return next;
    }

    bool ok = true;

private:
    int consume(const ByteSet& set, int next) {
        Glob::State state;
        state.consuming = true;
        state.bytes = set;
        state.next = next;
        glob_.states_.push_back(std::move(state));
        return static_cast<int>(glob_.states_.size() - 1);
    }

    int split(std::vector<int> targets) {
        Glob::State state;
        state.targets = std::move(targets);
        glob_.states_.push_back(std::move(state));
        return static_cast<int>(glob_.states_.size() - 1);
    }

    // set* then next
    int star(const ByteSet& set, int next) {
        const int loop = split({});
        const int body = consume(set, loop);
        glob_.states_[static_cast<size_t>(loop)].targets = {body, next};
        return loop;
    }

    int byte(unsigned char b, int next) {
        ByteSet set{};
        add(set, b);
        if (options_.case_insensitive) {
            fold_case(set);
        }
        return consume(set, next);
    }

    int token(const Token& t, int next) {
        const ByteSet any = all_bytes(options_.double_star);
        const ByteSet everything = all_bytes(false);
        switch (t.kind) {
            case Token::Kind::literal:
                for (auto it = t.literal.rbegin(); it != t.literal.rend(); ++it) {
                    next = byte(static_cast<unsigned char>(*it), next);
                }
                return next;
            case Token::Kind::any:
                return consume(any, next);
            case Token::Kind::zero_or_more:
                return star(any, next);
            case Token::Kind::recursive_prefix: {
                const int slash_then_next = byte('/', next);
                const int dot_star_slash = star(everything, byte('/', next));
                return split({slash_then_next, next, dot_star_slash});
            }
            case Token::Kind::recursive_suffix:
                return byte('/', star(everything, next));
            case Token::Kind::recursive_zero_or_more: {
                const int slash_only = byte('/', next);
                const int slash_any_slash = byte('/', star(everything, byte('/', next)));
                return split({slash_only, slash_any_slash});
            }
            case Token::Kind::byte_class:
                return consume(class_set(t), next);
            case Token::Kind::alternates: {
                std::vector<int> starts;
                for (const Tokens& branch : t.alternatives) {
                    if (!regex_empty(branch)) {
                        starts.push_back(sequence(branch, next));
                    }
                }
                return starts.empty() ? next : split(std::move(starts));
            }
        }
        return next;
    }

    // The byte class globset's regex `[...]` denotes: every byte of a single character, and for
    // a range the bytes around the one byte range between the two characters' encodings.
    ByteSet class_set(const Token& t) {
        ByteSet set{};
        for (const auto& [low, high] : t.ranges) {
            if (low.code == high.code) {
                for (const char c : low.bytes) {
                    add(set, static_cast<unsigned char>(c));
                }
                continue;
            }
            for (size_t i = 0; i + 1 < low.bytes.size(); ++i) {
                add(set, static_cast<unsigned char>(low.bytes[i]));
            }
            const unsigned from = static_cast<unsigned char>(low.bytes.back());
            const unsigned to = static_cast<unsigned char>(high.bytes.front());
            if (from > to) {
                ok = false;  // the regex range would be reversed
            }
            for (unsigned b = from; b <= to; ++b) {
                add(set, b);
            }
            for (size_t i = 1; i < high.bytes.size(); ++i) {
                add(set, static_cast<unsigned char>(high.bytes[i]));
            }
        }
        if (options_.case_insensitive) {
            fold_case(set);
        }
        if (t.negated) {
            for (uint64_t& word : set) {
                word = ~word;
            }
        }
        return set;
    }

    Glob& glob_;
    const GlobOptions& options_;
};

std::optional<Glob> Glob::compile(std::string_view pattern, const GlobOptions& options) {
    std::string normalized(pattern);
    if (options.path_normalize) {
        for (char& c : normalized) {
            if (c == '\\') {
                c = '/';
            }
        }
    }
    std::optional<Tokens> tokens = Parser(normalized).parse();
    if (!tokens) {
        return std::nullopt;
    }
    Glob glob;
    glob.path_normalize_ = options.path_normalize;
    glob.states_.emplace_back();  // 0: accept
    GlobCompiler compiler(glob, options);
    if (tokens->size() == 1 && tokens->front().kind == Token::Kind::recursive_prefix) {
        // globset: a pattern of just `**` matches everything.
        Token dot_star = make(Token::Kind::zero_or_more);
        GlobOptions any_options = options;
        any_options.double_star = false;
        GlobCompiler everything(glob, any_options);
        glob.start_ = everything.sequence(Tokens{dot_star}, 0);
        return glob;
    }
    glob.start_ = compiler.sequence(*tokens, 0);
    if (!compiler.ok) {
        return std::nullopt;
    }
    return glob;
}

bool Glob::matches(std::string_view value) const {
    const size_t count = states_.size();
    std::vector<int> current;
    std::vector<int> following;
    std::vector<int> stack;
    std::vector<uint32_t> seen(count, 0);
    uint32_t generation = 0;

    // Adds `state` and everything reachable from it without consuming.
    const auto close = [&](int state, std::vector<int>& into) {
        stack.push_back(state);
        while (!stack.empty()) {
            const int s = stack.back();
            stack.pop_back();
            if (seen[static_cast<size_t>(s)] == generation) {
                continue;
            }
            seen[static_cast<size_t>(s)] = generation;
            const State& st = states_[static_cast<size_t>(s)];
            if (st.consuming || s == 0) {
                into.push_back(s);
            }
            for (auto it = st.targets.rbegin(); it != st.targets.rend(); ++it) {
                stack.push_back(*it);
            }
        }
    };

    ++generation;
    close(start_, current);
    for (const char raw : value) {
        unsigned b = static_cast<unsigned char>(raw);
        if (path_normalize_ && b == '\\') {
            b = '/';
        }
        ++generation;
        following.clear();
        for (const int s : current) {
            const State& st = states_[static_cast<size_t>(s)];
            if (st.consuming && has(st.bytes, b)) {
                close(st.next, following);
            }
        }
        current.swap(following);
        if (current.empty()) {
            return false;
        }
    }
    for (const int s : current) {
        if (s == 0) {
            return true;
        }
    }
    return false;
}

}  // namespace lt
