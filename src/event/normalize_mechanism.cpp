#include "event/normalize_mechanism.h"

#include <array>
#include <cctype>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace lt {

namespace {

using json::Document;
using json::Value;

// errno names by number (index); "" where the number has none. Linux: asm-generic/errno*.h.
constexpr std::array<std::string_view, 134> kLinuxErrno{"",
                                                        "EPERM",
                                                        "ENOENT",
                                                        "ESRCH",
                                                        "EINTR",
                                                        "EIO",
                                                        "ENXIO",
                                                        "E2BIG",
                                                        "ENOEXEC",
                                                        "EBADF",
                                                        "ECHILD",
                                                        "EAGAIN",
                                                        "ENOMEM",
                                                        "EACCES",
                                                        "EFAULT",
                                                        "ENOTBLK",
                                                        "EBUSY",
                                                        "EEXIST",
                                                        "EXDEV",
                                                        "ENODEV",
                                                        "ENOTDIR",
                                                        "EISDIR",
                                                        "EINVAL",
                                                        "ENFILE",
                                                        "EMFILE",
                                                        "ENOTTY",
                                                        "ETXTBSY",
                                                        "EFBIG",
                                                        "ENOSPC",
                                                        "ESPIPE",
                                                        "EROFS",
                                                        "EMLINK",
                                                        "EPIPE",
                                                        "EDOM",
                                                        "ERANGE",
                                                        "EDEADLK",
                                                        "ENAMETOOLONG",
                                                        "ENOLCK",
                                                        "ENOSYS",
                                                        "ENOTEMPTY",
                                                        "ELOOP",
                                                        "",
                                                        "ENOMSG",
                                                        "EIDRM",
                                                        "ECHRNG",
                                                        "EL2NSYNC",
                                                        "EL3HLT",
                                                        "EL3RST",
                                                        "ELNRNG",
                                                        "EUNATCH",
                                                        "ENOCSI",
                                                        "EL2HLT",
                                                        "EBADE",
                                                        "EBADR",
                                                        "EXFULL",
                                                        "ENOANO",
                                                        "EBADRQC",
                                                        "EBADSLT",
                                                        "",
                                                        "EBFONT",
                                                        "ENOSTR",
                                                        "ENODATA",
                                                        "ETIME",
                                                        "ENOSR",
                                                        "ENONET",
                                                        "ENOPKG",
                                                        "EREMOTE",
                                                        "ENOLINK",
                                                        "EADV",
                                                        "ESRMNT",
                                                        "ECOMM",
                                                        "EPROTO",
                                                        "EMULTIHOP",
                                                        "EDOTDOT",
                                                        "EBADMSG",
                                                        "EOVERFLOW",
                                                        "ENOTUNIQ",
                                                        "EBADFD",
                                                        "EREMCHG",
                                                        "ELIBACC",
                                                        "ELIBBAD",
                                                        "ELIBSCN",
                                                        "ELIBMAX",
                                                        "ELIBEXEC",
                                                        "EILSEQ",
                                                        "ERESTART",
                                                        "ESTRPIPE",
                                                        "EUSERS",
                                                        "ENOTSOCK",
                                                        "EDESTADDRREQ",
                                                        "EMSGSIZE",
                                                        "EPROTOTYPE",
                                                        "ENOPROTOOPT",
                                                        "EPROTONOSUPPORT",
                                                        "ESOCKTNOSUPPORT",
                                                        "EOPNOTSUPP",
                                                        "EPFNOSUPPORT",
                                                        "EAFNOSUPPORT",
                                                        "EADDRINUSE",
                                                        "EADDRNOTAVAIL",
                                                        "ENETDOWN",
                                                        "ENETUNREACH",
                                                        "ENETRESET",
                                                        "ECONNABORTED",
                                                        "ECONNRESET",
                                                        "ENOBUFS",
                                                        "EISCONN",
                                                        "ENOTCONN",
                                                        "ESHUTDOWN",
                                                        "ETOOMANYREFS",
                                                        "ETIMEDOUT",
                                                        "ECONNREFUSED",
                                                        "EHOSTDOWN",
                                                        "EHOSTUNREACH",
                                                        "EALREADY",
                                                        "EINPROGRESS",
                                                        "ESTALE",
                                                        "EUCLEAN",
                                                        "ENOTNAM",
                                                        "ENAVAIL",
                                                        "EISNAM",
                                                        "EREMOTEIO",
                                                        "EDQUOT",
                                                        "ENOMEDIUM",
                                                        "EMEDIUMTYPE",
                                                        "ECANCELED",
                                                        "ENOKEY",
                                                        "EKEYEXPIRED",
                                                        "EKEYREVOKED",
                                                        "EKEYREJECTED",
                                                        "EOWNERDEAD",
                                                        "ENOTRECOVERABLE",
                                                        "ERFKILL",
                                                        "EHWPOISON"};

// Darwin: sys/errno.h.
constexpr std::array<std::string_view, 107> kDarwinErrno{"",
                                                         "EPERM",
                                                         "ENOENT",
                                                         "ESRCH",
                                                         "EINTR",
                                                         "EIO",
                                                         "ENXIO",
                                                         "E2BIG",
                                                         "ENOEXEC",
                                                         "EBADF",
                                                         "ECHILD",
                                                         "EDEADLK",
                                                         "ENOMEM",
                                                         "EACCES",
                                                         "EFAULT",
                                                         "ENOTBLK",
                                                         "EBUSY",
                                                         "EEXIST",
                                                         "EXDEV",
                                                         "ENODEV",
                                                         "ENOTDIR",
                                                         "EISDIR",
                                                         "EINVAL",
                                                         "ENFILE",
                                                         "EMFILE",
                                                         "ENOTTY",
                                                         "ETXTBSY",
                                                         "EFBIG",
                                                         "ENOSPC",
                                                         "ESPIPE",
                                                         "EROFS",
                                                         "EMLINK",
                                                         "EPIPE",
                                                         "EDOM",
                                                         "ERANGE",
                                                         "EAGAIN",
                                                         "EINPROGRESS",
                                                         "EALREADY",
                                                         "ENOTSOCK",
                                                         "EDESTADDRREQ",
                                                         "EMSGSIZE",
                                                         "EPROTOTYPE",
                                                         "ENOPROTOOPT",
                                                         "EPROTONOSUPPORT",
                                                         "ESOCKTNOSUPPORT",
                                                         "ENOTSUP",
                                                         "EPFNOSUPPORT",
                                                         "EAFNOSUPPORT",
                                                         "EADDRINUSE",
                                                         "EADDRNOTAVAIL",
                                                         "ENETDOWN",
                                                         "ENETUNREACH",
                                                         "ENETRESET",
                                                         "ECONNABORTED",
                                                         "ECONNRESET",
                                                         "ENOBUFS",
                                                         "EISCONN",
                                                         "ENOTCONN",
                                                         "ESHUTDOWN",
                                                         "ETOOMANYREFS",
                                                         "ETIMEDOUT",
                                                         "ECONNREFUSED",
                                                         "ELOOP",
                                                         "ENAMETOOLONG",
                                                         "EHOSTDOWN",
                                                         "EHOSTUNREACH",
                                                         "ENOTEMPTY",
                                                         "EPROCLIM",
                                                         "EUSERS",
                                                         "EDQUOT",
                                                         "ESTALE",
                                                         "EREMOTE",
                                                         "EBADRPC",
                                                         "ERPCMISMATCH",
                                                         "EPROGUNAVAIL",
                                                         "EPROGMISMATCH",
                                                         "EPROCUNAVAIL",
                                                         "ENOLCK",
                                                         "ENOSYS",
                                                         "EFTYPE",
                                                         "EAUTH",
                                                         "ENEEDAUTH",
                                                         "EPWROFF",
                                                         "EDEVERR",
                                                         "EOVERFLOW",
                                                         "EBADEXEC",
                                                         "EBADARCH",
                                                         "ESHLIBVERS",
                                                         "EBADMACHO",
                                                         "ECANCELED",
                                                         "EIDRM",
                                                         "ENOMSG",
                                                         "EILSEQ",
                                                         "ENOATTR",
                                                         "EBADMSG",
                                                         "EMULTIHOP",
                                                         "ENODATA",
                                                         "ENOLINK",
                                                         "ENOSR",
                                                         "ENOSTR",
                                                         "EPROTO",
                                                         "ETIME",
                                                         "EOPNOTSUPP",
                                                         "ENOPOLICY",
                                                         "ENOTRECOVERABLE",
                                                         "EOWNERDEAD",
                                                         "EQFULL"};

// Windows (the CRT's errno.h): sparse.
constexpr std::pair<int, std::string_view> kWindowsErrno[] = {
    {1, "EPERM"},
    {2, "ENOENT"},
    {3, "ESRCH"},
    {4, "EINTR"},
    {5, "EIO"},
    {6, "ENXIO"},
    {7, "E2BIG"},
    {8, "ENOEXEC"},
    {9, "EBADF"},
    {10, "ECHILD"},
    {11, "EAGAIN"},
    {12, "ENOMEM"},
    {13, "EACCES"},
    {14, "EFAULT"},
    {16, "EBUSY"},
    {17, "EEXIST"},
    {18, "EXDEV"},
    {19, "ENODEV"},
    {20, "ENOTDIR"},
    {21, "EISDIR"},
    {22, "EINVAL"},
    {23, "ENFILE"},
    {24, "EMFILE"},
    {25, "ENOTTY"},
    {27, "EFBIG"},
    {28, "ENOSPC"},
    {29, "ESPIPE"},
    {30, "EROFS"},
    {31, "EMLINK"},
    {32, "EPIPE"},
    {33, "EDOM"},
    {34, "ERANGE"},
    {36, "EDEADLK"},
    {38, "ENAMETOOLONG"},
    {39, "ENOLCK"},
    {40, "ENOSYS"},
    {41, "ENOTEMPTY"},
    {42, "EILSEQ"},
    {80, "STRUNCATE"},
    {100, "EADDRINUSE"},
    {101, "EADDRNOTAVAIL"},
    {102, "EAFNOSUPPORT"},
    {103, "EALREADY"},
    {104, "EBADMSG"},
    {105, "ECANCELED"},
    {106, "ECONNABORTED"},
    {107, "ECONNREFUSED"},
    {108, "ECONNRESET"},
    {109, "EDESTADDRREQ"},
    {110, "EHOSTUNREACH"},
    {111, "EIDRM"},
    {112, "EINPROGRESS"},
    {113, "EISCONN"},
    {114, "ELOOP"},
    {115, "EMSGSIZE"},
    {116, "ENETDOWN"},
    {117, "ENETRESET"},
    {118, "ENETUNREACH"},
    {119, "ENOBUFS"},
    {120, "ENODATA"},
    {121, "ENOLINK"},
    {122, "ENOMSG"},
    {123, "ENOPROTOOPT"},
    {124, "ENOSR"},
    {125, "ENOSTR"},
    {126, "ENOTCONN"},
    {127, "ENOTRECOVERABLE"},
    {128, "ENOTSOCK"},
    {129, "ENOTSUP"},
    {130, "EOPNOTSUPP"},
    {131, "EOTHER"},
    {132, "EOVERFLOW"},
    {133, "EOWNERDEAD"},
    {134, "EPROTO"},
    {135, "EPROTONOSUPPORT"},
    {136, "EPROTOTYPE"},
    {137, "ETIME"},
    {138, "ETIMEDOUT"},
    {139, "ETXTBSY"},
    {140, "EWOULDBLOCK"},
};

// Signals 1..31. Linux: asm-generic/signal.h. Darwin: sys/signal.h (7 named SIGPOLL, as Relay).
constexpr std::array<std::string_view, 32> kLinuxSignals{
    "",          "SIGHUP",  "SIGINT",    "SIGQUIT", "SIGILL",   "SIGTRAP", "SIGABRT", "SIGBUS",
    "SIGFPE",    "SIGKILL", "SIGUSR1",   "SIGSEGV", "SIGUSR2",  "SIGPIPE", "SIGALRM", "SIGTERM",
    "SIGSTKFLT", "SIGCHLD", "SIGCONT",   "SIGSTOP", "SIGTSTP",  "SIGTTIN", "SIGTTOU", "SIGURG",
    "SIGXCPU",   "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO",   "SIGPWR",  "SIGSYS"};
constexpr std::array<std::string_view, 32> kDarwinSignals{
    "",        "SIGHUP",  "SIGINT",    "SIGQUIT", "SIGILL",   "SIGTRAP", "SIGABRT", "SIGPOLL",
    "SIGFPE",  "SIGKILL", "SIGBUS",    "SIGSEGV", "SIGSYS",   "SIGPIPE", "SIGALRM", "SIGTERM",
    "SIGURG",  "SIGSTOP", "SIGTSTP",   "SIGCONT", "SIGCHLD",  "SIGTTIN", "SIGTTOU", "SIGIO",
    "SIGXCPU", "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGINFO", "SIGUSR1", "SIGUSR2"};

// Darwin si_code names by signal number, indexed by code.
constexpr std::array<std::string_view, 9> kIllCodes{"ILL_NOOP",   "ILL_ILLOPC", "ILL_ILLTRP",
                                                    "ILL_PRVOPC", "ILL_ILLOPN", "ILL_ILLADR",
                                                    "ILL_PRVREG", "ILL_COPROC", "ILL_BADSTK"};
constexpr std::array<std::string_view, 9> kFpeCodes{"FPE_NOOP",   "FPE_FLTDIV", "FPE_FLTOVF",
                                                    "FPE_FLTUND", "FPE_FLTRES", "FPE_FLTINV",
                                                    "FPE_FLTSUB", "FPE_INTDIV", "FPE_INTOVF"};
constexpr std::array<std::string_view, 3> kSegvCodes{"SEGV_NOOP", "SEGV_MAPERR", "SEGV_ACCERR"};
constexpr std::array<std::string_view, 4> kBusCodes{"BUS_NOOP", "BUS_ADRALN", "BUS_ADRERR",
                                                    "BUS_OBJERR"};
constexpr std::array<std::string_view, 3> kTrapCodes{"", "TRAP_BRKPT", "TRAP_TRACE"};
constexpr std::array<std::string_view, 7> kChldCodes{"CLD_NOOP",     "CLD_EXITED",  "CLD_KILLED",
                                                     "CLD_DUMPED",   "CLD_TRAPPED", "CLD_STOPPED",
                                                     "CLD_CONTINUED"};
constexpr std::array<std::string_view, 7> kPollCodes{"",         "POLL_IN",  "POLL_OUT", "POLL_MSG",
                                                     "POLL_ERR", "POLL_PRI", "POLL_HUP"};

constexpr std::array<std::string_view, 14> kMachExceptions{"",
                                                           "EXC_BAD_ACCESS",
                                                           "EXC_BAD_INSTRUCTION",
                                                           "EXC_ARITHMETIC",
                                                           "EXC_EMULATION",
                                                           "EXC_SOFTWARE",
                                                           "EXC_BREAKPOINT",
                                                           "EXC_SYSCALL",
                                                           "EXC_MACH_SYSCALL",
                                                           "EXC_RPC_ALERT",
                                                           "EXC_CRASH",
                                                           "EXC_RESOURCE",
                                                           "EXC_GUARD",
                                                           "EXC_CORPSE_NOTIFY"};

std::optional<std::string_view> lookup(std::span<const std::string_view> table, int64_t number) {
    if (number < 0 || static_cast<uint64_t>(number) >= table.size()) return std::nullopt;
    const std::string_view name = table[static_cast<size_t>(number)];
    if (name.empty()) return std::nullopt;
    return name;
}

std::optional<OsHint> os_from_name(std::string_view name) {
    std::string lower(name);
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower == "ios" || lower == "watchos" || lower == "tvos" || lower == "macos") {
        return OsHint::Darwin;
    }
    if (lower == "linux" || lower == "android") return OsHint::Linux;
    if (lower == "windows") return OsHint::Windows;
    return std::nullopt;
}

// A member that is absent or null (a name to fill in).
bool missing(const Value& object, std::string_view key) {
    const Value* value = object.find(key);
    return value == nullptr || value->is_null();
}

std::optional<int64_t> integer(const Value& object, std::string_view key) {
    const Value* value = object.find(key);
    return value != nullptr ? value->as_int64() : std::nullopt;
}

constexpr std::array<std::string_view, 11> kKnownFields{
    "type",   "synthetic",          "description",  "help_link", "handled",
    "source", "is_exception_group", "exception_id", "parent_id", "data",
    "meta"};

// Relay's legacy mechanism (no `type`): signal and mach exception move into `meta`, the unknown
// members into `data`.
void convert_legacy(Document& doc, Value& mechanism) {
    struct Move {
        const char* legacy;
        const char* modern;
        std::array<std::pair<const char*, const char*>, 4> fields;
    };
    static constexpr std::array<Move, 2> kMoves{{
        {"posix_signal",
         "signal",
         {{{"signal", "number"}, {"code", "code"}, {"name", "name"}, {"code_name", "code_name"}}}},
        {"mach_exception",
         "mach_exception",
         {{{"exception", "exception"},
           {"code", "code"},
           {"subcode", "subcode"},
           {"exception_name", "name"}}}},
    }};
    std::vector<std::pair<std::string, Value>> unknown;
    for (const Move& move : kMoves) {
        std::optional<Value> legacy = mechanism.take(move.legacy);
        if (!legacy || legacy->is_null()) continue;
        Value* meta = mechanism.find("meta");
        const bool meta_free = meta == nullptr || meta->is_null() ||
                               (meta->is_object() && missing(*meta, move.modern));
        if (!legacy->is_object() || !meta_free) {
            unknown.emplace_back(move.legacy, std::move(*legacy));
            continue;
        }
        Value modern = doc.make_object();
        for (const auto& [from, to] : move.fields) {
            if (Value* field = legacy->find(from); field != nullptr && !field->is_null()) {
                modern.set(to, std::move(*field));
            }
        }
        mechanism.object_at("meta").set(move.modern, std::move(modern));
    }
    std::vector<std::string> keys;
    for (const auto& [key, value] : mechanism.members()) {
        bool known = false;
        for (std::string_view field : kKnownFields) known = known || key == field;
        if (!known) keys.emplace_back(key);
    }
    for (const std::string& key : keys) unknown.emplace_back(key, std::move(*mechanism.take(key)));
    if (unknown.empty()) return;
    Value& data = mechanism.object_at("data");  // `data` was checked to be an object or absent
    for (auto& [key, value] : unknown) {
        if (data.find(key) == nullptr) data.set(key, std::move(value));
    }
}

}  // namespace

std::optional<std::string_view> errno_name(int64_t number, OsHint os) {
    switch (os) {
        case OsHint::Linux:
            return lookup(kLinuxErrno, number);
        case OsHint::Darwin:
            return lookup(kDarwinErrno, number);
        case OsHint::Windows:
            for (const auto& [code, name] : kWindowsErrno) {
                if (code == number) return name;
            }
            return std::nullopt;
    }
    return std::nullopt;
}

std::optional<std::string_view> signal_name(int64_t number, OsHint os) {
    if (os == OsHint::Linux) return lookup(kLinuxSignals, number);
    if (os == OsHint::Darwin) return lookup(kDarwinSignals, number);
    return std::nullopt;
}

std::optional<std::string_view> darwin_signal_code_name(int64_t signal, int64_t code) {
    switch (signal) {
        case 4:
            return lookup(kIllCodes, code);
        case 5:
            return lookup(kTrapCodes, code);
        case 7:
            return lookup(kPollCodes, code);
        case 8:
            return lookup(kFpeCodes, code);
        case 10:
            return lookup(kBusCodes, code);
        case 11:
            return lookup(kSegvCodes, code);
        case 20:
            return lookup(kChldCodes, code);
        default:
            return std::nullopt;
    }
}

std::optional<std::string_view> mach_exception_name(int64_t number) {
    return lookup(kMachExceptions, number);
}

std::optional<OsHint> os_hint_of(const Value& event) {
    const Value* debug_meta = event.find("debug_meta");
    const Value* system_sdk = debug_meta != nullptr ? debug_meta->find("system_sdk") : nullptr;
    const Value* sdk_name = system_sdk != nullptr ? system_sdk->find("sdk_name") : nullptr;
    if (auto name = sdk_name != nullptr ? sdk_name->as_string() : std::nullopt) {
        return os_from_name(*name);
    }
    const Value* contexts = event.find("contexts");
    const Value* os = contexts != nullptr ? contexts->find("os") : nullptr;
    const Value* os_name = os != nullptr ? os->find("name") : nullptr;
    if (auto name = os_name != nullptr ? os_name->as_string() : std::nullopt) {
        return os_from_name(*name);
    }
    return std::nullopt;
}

void normalize_mechanism(Document& doc, Value& exception, std::string_view path,
                         std::optional<OsHint> os, const ErrorReport& report) {
    Value* mechanism = exception.find("mechanism");
    if (mechanism == nullptr) return;
    const std::string base(path);
    if (mechanism->is_null() || (mechanism->is_object() && mechanism->size() == 0)) {
        exception.erase("mechanism");
        return;
    }
    if (!mechanism->is_object()) {
        report("invalid_data", base, mechanism);
        exception.erase("mechanism");
        return;
    }
    // Drops `key` of `parent` with an error unless `valid`.
    auto drop_unless = [&](Value& parent, std::string_view key, const std::string& name,
                           bool (*valid)(const Value&)) {
        Value* value = parent.find(key);
        if (value == nullptr || value->is_null() || valid(*value)) return;
        report("invalid_data", name, value);
        parent.erase(key);
    };
    auto is_object = [](const Value& value) { return value.is_object(); };
    auto is_http_url = [](const Value& value) {
        auto text = value.as_string();
        return text && (text->starts_with("http://") || text->starts_with("https://"));
    };
    drop_unless(*mechanism, "help_link", base + ".help_link", is_http_url);
    drop_unless(*mechanism, "data", base + ".data", is_object);
    drop_unless(*mechanism, "meta", base + ".meta", is_object);
    if (Value* meta = mechanism->find("meta"); meta != nullptr && meta->is_object()) {
        for (const char* key : {"errno", "signal", "mach_exception"}) {
            drop_unless(*meta, key, base + ".meta." + key, is_object);
        }
    }

    Value* type = mechanism->find("type");
    if (type == nullptr || type->is_null()) {
        mechanism->erase("type");
        convert_legacy(doc, *mechanism);
        mechanism->set("type", doc.make_string("generic"));
    } else if (!type->is_string() || type->as_string()->empty()) {
        report("invalid_data", base + ".type", type);
        mechanism->set("type", doc.make_string("generic"));
    }

    Value* meta = mechanism->find("meta");
    if (meta == nullptr || !meta->is_object()) return;
    if (Value* error = meta->find("errno"); os && error != nullptr && error->is_object()) {
        auto number = integer(*error, "number");
        auto name = number ? errno_name(*number, *os) : std::nullopt;
        if (name && missing(*error, "name")) error->set("name", doc.make_string(*name));
    }
    if (Value* signal = meta->find("signal"); os && signal != nullptr && signal->is_object()) {
        if (auto number = integer(*signal, "number")) {
            auto name = signal_name(*number, *os);
            if (name && missing(*signal, "name")) signal->set("name", doc.make_string(*name));
            auto code = integer(*signal, "code");
            auto code_name = code && *os == OsHint::Darwin ? darwin_signal_code_name(*number, *code)
                                                           : std::nullopt;
            if (code_name && missing(*signal, "code_name")) {
                signal->set("code_name", doc.make_string(*code_name));
            }
        }
    }
    if (Value* mach = meta->find("mach_exception"); mach != nullptr && mach->is_object()) {
        auto number = integer(*mach, "exception");
        auto name = number ? mach_exception_name(*number) : std::nullopt;
        if (name && missing(*mach, "name")) mach->set("name", doc.make_string(*name));
    }
}

}  // namespace lt
