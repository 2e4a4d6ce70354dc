#include "core/log.h"

#include <unistd.h>

#include "core/json_writer.h"
#include "core/time.h"

namespace lt {

void log_event(std::string_view level, std::string_view message,
               std::initializer_list<LogField> fields) {
    JsonWriter line;
    line.begin_object();
    line.key("ts").value(format_rfc3339(now_seconds()));
    line.key("level").value(level);
    line.key("msg").value(message);
    for (const LogField& field : fields) {
        line.key(field.key);
        std::visit([&](const auto& v) { line.value(v); }, field.value);
    }
    line.end_object();
    std::string text = line.take();
    text.push_back('\n');
    // One write() per line: the kernel keeps lines from different threads whole.
    const ssize_t ignored = ::write(STDERR_FILENO, text.data(), text.size());
    (void)ignored;
}

}  // namespace lt
