// A std::regex behind a cheap literal check, for the grouping rules that rewrite frame text.
//
// Contract: every match of `pattern` contains at least one of `literals` (the caller's promise,
// checked by the tests of each rule). may_match(text) is false when none occurs, and then
// replace() and matches_at_start() answer without running the regex, so their results are
// always what std::regex_replace and std::regex_search (match_continuous) would give. libstdc++'s
// regex costs microseconds per call even when nothing matches; the literals make the common case
// (no marker at all) a substring search.
#pragma once

#include <initializer_list>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

namespace lt {

class GuardedRegex {
public:
    GuardedRegex(std::initializer_list<std::string_view> literals, const char* pattern)
        : literals_(literals.begin(), literals.end()), regex_(pattern) {}

    bool may_match(std::string_view text) const {
        for (const std::string& literal : literals_) {
            if (text.find(literal) != std::string_view::npos) return true;
        }
        return false;
    }

    std::string replace(std::string text, const char* format) const {
        if (!may_match(text)) return text;
        return std::regex_replace(text, regex_, format);
    }

    bool matches_at_start(std::string_view text) const {
        return may_match(text) && std::regex_search(text.begin(), text.end(), regex_,
                                                    std::regex_constants::match_continuous);
    }

private:
    std::vector<std::string> literals_;
    std::regex regex_;
};

}  // namespace lt
