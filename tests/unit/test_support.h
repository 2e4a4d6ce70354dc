// Helpers shared by the unit tests: reading fixture files and parsing event JSON.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

namespace lt::testing_support {

// The whole file; "" when it cannot be read (the test's expectations then fail visibly).
inline std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
}

}  // namespace lt::testing_support
