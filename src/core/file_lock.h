// An exclusive advisory lock (flock) on a file, held for the life of the FileLock object and
// released by the kernel when the process dies (kill -9 included).
//
// Contract: try_lock(path) creates the file if needed and returns the held lock, or nullopt
// when another open file description holds it (another process, or another FileLock in this
// one). It throws std::system_error when the file cannot be opened.
#pragma once

#include <filesystem>
#include <optional>

namespace lt {

class FileLock {
public:
    static std::optional<FileLock> try_lock(const std::filesystem::path& path);

    FileLock(FileLock&& other) noexcept;
    FileLock& operator=(FileLock&& other) noexcept;
    FileLock(const FileLock&) = delete;
    FileLock& operator=(const FileLock&) = delete;
    ~FileLock();

private:
    explicit FileLock(int fd) : fd_(fd) {}
    int fd_ = -1;
};

}  // namespace lt
