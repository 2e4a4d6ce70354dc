#include "http/router.h"

#include "core/url.h"

namespace lt::http {

namespace {

std::vector<std::string> split_path(std::string_view path) {
    std::vector<std::string> segments;
    size_t start = 0;
    while (start <= path.size()) {
        const size_t slash = path.find('/', start);
        const size_t end = slash == std::string_view::npos ? path.size() : slash;
        segments.emplace_back(path.substr(start, end - start));
        if (slash == std::string_view::npos) break;
        start = slash + 1;
    }
    return segments;
}

bool is_capture(const std::string& segment) {
    return segment.size() >= 2 && segment.front() == '{' && segment.back() == '}';
}

}  // namespace

void Router::add(std::string method, std::string_view pattern, std::string name,
                 RouteHandler handler) {
    routes_.push_back(
        Route{std::move(method), split_path(pattern), std::move(name), std::move(handler)});
}

Router::Match Router::match(std::string_view method, std::string_view path) const {
    Match result;
    const auto segments = split_path(path);
    for (const Route& route : routes_) {
        if (route.segments.size() != segments.size()) continue;
        PathParams params;
        bool same = true;
        for (size_t i = 0; i < segments.size() && same; ++i) {
            const std::string& expected = route.segments[i];
            if (is_capture(expected)) {
                if (segments[i].empty())
                    same = false;
                else
                    params[expected.substr(1, expected.size() - 2)] = path_decode(segments[i]);
            } else {
                same = expected == segments[i];
            }
        }
        if (!same) continue;
        if (route.method != method) {
            result.path_matched = true;
            continue;
        }
        result.handler = &route.handler;
        result.name = &route.name;
        result.params = std::move(params);
        return result;
    }
    return result;
}

}  // namespace lt::http
