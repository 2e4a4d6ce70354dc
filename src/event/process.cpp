#include "event/process.h"

#include <cctype>

#include "event/json.h"
#include "event/user_agent.h"

namespace lt {

namespace {

bool same_header_name(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(a[i])) !=
            std::tolower(static_cast<unsigned char>(b[i]))) {
            return false;
        }
    }
    return true;
}

// The value of a request header; normalized headers are [name, value] pairs.
std::string_view request_header(const json::Value& event, std::string_view name) {
    const json::Value* request = event.find("request");
    const json::Value* headers = request ? request->find("headers") : nullptr;
    if (headers == nullptr) return {};
    for (const json::Value& pair : headers->elements()) {
        const auto items = pair.elements();
        if (items.size() != 2) continue;
        const auto key = items[0].as_string();
        if (key && same_header_name(*key, name)) return items[1].as_string().value_or("");
    }
    return {};
}

void set_optional(json::Document& document, json::Value& object, std::string_view key,
                  const std::optional<std::string>& value) {
    if (value) object.set(key, document.make_string(*value));
}

void add_user_agent_contexts(json::Document& document) {
    json::Value& event = document.root();
    const std::string_view user_agent = request_header(event, "User-Agent");
    if (user_agent.empty()) return;
    const ClientHints hints{request_header(event, "Sec-CH-UA"),
                            request_header(event, "Sec-CH-UA-Platform"),
                            request_header(event, "Sec-CH-UA-Platform-Version"),
                            request_header(event, "Sec-CH-UA-Model")};
    const UserAgentInfo info = parse_user_agent(user_agent, hints);
    json::Value& contexts = event.object_at("contexts");
    const auto platform =
        event.find("platform") ? event.find("platform")->as_string() : std::nullopt;
    const std::string_view os_key = platform == "javascript" ? "os" : "client_os";
    if (info.browser && contexts.find("browser") == nullptr) {
        json::Value& browser = contexts.object_at("browser");
        browser.set("type", document.make_string("browser"));
        browser.set("name", document.make_string(info.browser->name));
        set_optional(document, browser, "version", info.browser->version);
    }
    if (info.os && contexts.find(os_key) == nullptr) {
        json::Value& os = contexts.object_at(os_key);
        os.set("type", document.make_string("os"));
        os.set("name", document.make_string(info.os->name));
        set_optional(document, os, "version", info.os->version);
    }
    if (info.device && contexts.find("device") == nullptr) {
        json::Value& device = contexts.object_at("device");
        device.set("type", document.make_string("device"));
        set_optional(document, device, "family", info.device->family);
        set_optional(document, device, "model", info.device->model);
        set_optional(document, device, "brand", info.device->brand);
    }
}

void note_replaced_bytes(json::Document& document, size_t replacements) {
    json::Value& event = document.root();
    json::Value* errors = event.find("errors");
    if (errors == nullptr || !errors->is_array())
        errors = &event.set("errors", document.make_array());
    json::Value note = document.make_object();
    note.set("type", document.make_string("invalid_data"));
    note.set("reason", document.make_string("invalid UTF-8 replaced by U+FFFD"));
    note.set("count", document.make_uint64(replacements));
    errors->push_back(std::move(note));
}

}  // namespace

std::optional<json::Document> prepare_event(std::string_view payload,
                                            const EventProcessing& processing) {
    json::ParseResult parsed = json::parse(payload);
    if (!parsed.document || !parsed.document->root().is_object()) return std::nullopt;
    json::Document& document = *parsed.document;
    normalize_event(document, processing.normalize);
    if (parsed.utf8_replacements > 0) note_replaced_bytes(document, parsed.utf8_replacements);
    add_user_agent_contexts(document);
    scrub_event(document, processing.scrub);
    return std::move(*parsed.document);
}

}  // namespace lt
