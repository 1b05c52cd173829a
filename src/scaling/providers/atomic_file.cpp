#include "scaling/providers/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>
#include <cerrno>
#include <cstring>

namespace ballast::scaling {

namespace {

core::Status ioError(const std::string& what, const std::filesystem::path& path) {
  return core::fail(core::ErrorCode::kInternal,
                    fmt::format("{} {}: {}", what, path.string(), std::strerror(errno)));
}

}  // namespace

core::Status makePrivateDirectories(const std::filesystem::path& dir) {
  std::filesystem::path partial;
  for (const auto& part : dir) {
    partial /= part;
    if (::mkdir(partial.c_str(), 0700) != 0 && errno != EEXIST)
      return ioError("could not create directory", partial);
  }
  return {};
}

core::Status writeFileAtomically(const std::filesystem::path& path, std::string_view content,
                                 mode_t mode) {
  const std::filesystem::path temporary = path.string() + ".tmp";
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return ioError("could not create", temporary);
  size_t written = 0;
  while (written < content.size()) {
    const ssize_t n = ::write(fd, content.data() + written, content.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      auto failure = ioError("could not write", temporary);
      ::close(fd);
      return failure;
    }
    written += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) {
    auto failure = ioError("could not fsync", temporary);
    ::close(fd);
    return failure;
  }
  ::close(fd);
  if (::rename(temporary.c_str(), path.c_str()) != 0) return ioError("could not rename into", path);
  // The rename is durable only once the directory entry is.
  const auto dir = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
  const int dirFd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dirFd >= 0) {
    ::fsync(dirFd);
    ::close(dirFd);
  }
  return {};
}

}  // namespace ballast::scaling
