#include "http/message.h"

#include "core/json_writer.h"

namespace lt::http {

std::string_view Request::header(std::string_view lower_name) const {
    for (const auto& [name, value] : headers) {
        if (name == lower_name) return value;
    }
    return {};
}

Response json_response(int status, std::string body) {
    Response response;
    response.status = status;
    response.body = std::move(body);
    return response;
}

Response error_response(int status, std::string_view detail) {
    JsonWriter json;
    json.begin_object().key("detail").value(detail).end_object();
    return json_response(status, json.take());
}

}  // namespace lt::http
