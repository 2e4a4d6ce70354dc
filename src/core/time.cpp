#include "core/time.h"

#include <chrono>
#include <cmath>
#include <cstdint>

namespace lt {

namespace {

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
    y -= m <= 2 ? 1 : 0;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const auto yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

struct CivilDate {
    int64_t year;
    unsigned month;
    unsigned day;
};

// Inverse of days_from_civil.
CivilDate civil_from_days(int64_t z) {
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const auto doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    const unsigned d = doy - (153 * mp + 2) / 5 + 1;
    const unsigned m = mp < 10 ? mp + 3 : mp - 9;
    return {static_cast<int64_t>(yoe) + era * 400 + (m <= 2 ? 1 : 0), m, d};
}

bool is_leap(int64_t y) {
    return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

unsigned days_in_month(int64_t y, unsigned m) {
    static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : kDays[m - 1];
}

void put_digits(std::string& out, int64_t value, int width) {
    const size_t end = out.size() + static_cast<size_t>(width);
    out.resize(end);
    for (size_t i = end; i-- > end - static_cast<size_t>(width);) {
        out[i] = static_cast<char>('0' + value % 10);
        value /= 10;
    }
}

// A cursor over the text being parsed; every read checks bounds.
class Scanner {
public:
    explicit Scanner(std::string_view text) : text_(text) {}

    bool done() const { return pos_ == text_.size(); }
    char peek() const { return done() ? '\0' : text_[pos_]; }
    bool accept(char c) {
        if (peek() != c) return false;
        ++pos_;
        return true;
    }
    // Exactly `width` decimal digits.
    std::optional<unsigned> digits(int width) {
        unsigned value = 0;
        for (int i = 0; i < width; ++i) {
            const char c = peek();
            if (c < '0' || c > '9') return std::nullopt;
            value = value * 10 + static_cast<unsigned>(c - '0');
            ++pos_;
        }
        return value;
    }
    // One or more digits as a fraction of a second; digits past nanoseconds are read and dropped.
    std::optional<double> fraction() {
        int64_t value = 0;
        int64_t scale = 1;
        const size_t start = pos_;
        for (char c = peek(); c >= '0' && c <= '9'; c = peek()) {
            if (scale < 1'000'000'000) {
                value = value * 10 + (c - '0');
                scale *= 10;
            }
            ++pos_;
        }
        if (pos_ == start) return std::nullopt;
        return static_cast<double>(value) / static_cast<double>(scale);
    }

private:
    std::string_view text_;
    size_t pos_ = 0;
};

// "Z", "+hh:mm", "+hhmm", "+hh" (or '-'), or nothing (UTC). Seconds east of UTC.
std::optional<int64_t> parse_zone(Scanner& in) {
    if (in.done() || in.accept('Z') || in.accept('z')) return 0;
    const int sign = in.accept('+') ? 1 : in.accept('-') ? -1 : 0;
    if (sign == 0) return std::nullopt;
    const auto hours = in.digits(2);
    if (!hours || *hours > 23) return std::nullopt;
    unsigned minutes = 0;
    if (!in.done()) {
        in.accept(':');
        const auto mm = in.digits(2);
        if (!mm || *mm > 59) return std::nullopt;
        minutes = *mm;
    }
    return sign * static_cast<int64_t>(*hours * 3600 + minutes * 60);
}

}  // namespace

double now_seconds() {
    const auto since_epoch = std::chrono::system_clock::now().time_since_epoch();
    return static_cast<double>(
               std::chrono::duration_cast<std::chrono::microseconds>(since_epoch).count()) /
           1e6;
}

std::string format_rfc3339(double seconds) {
    // Clamp to years 0001..9999 so the fixed-width format holds; NaN becomes the epoch.
    constexpr double kMin = -62135596800.0;  // 0001-01-01T00:00:00Z
    constexpr double kMax = 253402300799.0;  // 9999-12-31T23:59:59Z
    if (std::isnan(seconds)) seconds = 0;
    seconds = std::fmin(std::fmax(seconds, kMin), kMax);
    // Split before scaling: seconds * 1e6 would lose the microseconds of present-day times.
    const double whole = std::floor(seconds);
    auto secs = static_cast<int64_t>(whole);
    int64_t frac = std::llround((seconds - whole) * 1e6);
    if (frac == 1'000'000) frac = 0, secs += 1;
    int64_t days = secs / 86400;
    int64_t rem = secs % 86400;
    if (rem < 0) rem += 86400, days -= 1;
    const CivilDate date = civil_from_days(days);
    std::string out;
    out.reserve(27);
    put_digits(out, date.year, 4);
    out.push_back('-');
    put_digits(out, date.month, 2);
    out.push_back('-');
    put_digits(out, date.day, 2);
    out.push_back('T');
    put_digits(out, rem / 3600, 2);
    out.push_back(':');
    put_digits(out, rem / 60 % 60, 2);
    out.push_back(':');
    put_digits(out, rem % 60, 2);
    out.push_back('.');
    put_digits(out, frac, 6);
    out.push_back('Z');
    return out;
}

std::optional<double> parse_rfc3339(std::string_view text) {
    Scanner in(text);
    const auto year = in.digits(4);
    if (!year || !in.accept('-')) return std::nullopt;
    const auto month = in.digits(2);
    if (!month || *month < 1 || *month > 12 || !in.accept('-')) return std::nullopt;
    const auto day = in.digits(2);
    if (!day || *day < 1 || *day > days_in_month(*year, *month)) return std::nullopt;
    if (!in.accept('T') && !in.accept('t') && !in.accept(' ')) return std::nullopt;
    const auto hour = in.digits(2);
    if (!hour || *hour > 23 || !in.accept(':')) return std::nullopt;
    const auto minute = in.digits(2);
    if (!minute || *minute > 59 || !in.accept(':')) return std::nullopt;
    const auto second = in.digits(2);
    if (!second || *second > 60) return std::nullopt;  // 60: a leap second
    double fraction = 0;
    if (in.accept('.') || in.accept(',')) {
        const auto value = in.fraction();
        if (!value) return std::nullopt;
        fraction = *value;
    }
    const auto offset = parse_zone(in);
    if (!offset || !in.done()) return std::nullopt;
    const int64_t whole = days_from_civil(*year, *month, *day) * 86400 + *hour * 3600 +
                          *minute * 60 + *second - *offset;
    return static_cast<double>(whole) + fraction;
}

}  // namespace lt
