// Maps (method, path pattern) to handlers. Patterns are literal segments and {name} captures,
// e.g. "/api/{project_id}/envelope/"; a trailing slash in the pattern is required in the path.
// Captured values are percent-decoded. Routes are matched in the order they were added.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "http/message.h"

namespace lt::http {

using PathParams = std::map<std::string, std::string, std::less<>>;
using RouteHandler = std::function<void(Request&&, const PathParams&, Responder)>;

class Router {
public:
    // `name` labels the route in metrics (e.g. "envelope").
    void add(std::string method, std::string_view pattern, std::string name, RouteHandler handler);

    struct Match {
        const RouteHandler* handler = nullptr;
        const std::string* name = nullptr;
        PathParams params;
        bool path_matched = false;  // some route had this path, but not this method
    };
    Match match(std::string_view method, std::string_view path) const;

private:
    struct Route {
        std::string method;
        std::vector<std::string> segments;  // "{x}" for a capture
        std::string name;
        RouteHandler handler;
    };
    std::vector<Route> routes_;
};

}  // namespace lt::http
