#pragma once
// Replacing a small file so a crash leaves either the old or the new content:
// write a temporary file beside it, fsync, rename over, fsync the directory.

#include <sys/types.h>

#include <filesystem>
#include <string_view>

#include "core/error.h"

namespace ballast::scaling {

core::Status writeFileAtomically(const std::filesystem::path& path, std::string_view content,
                                 mode_t mode);

// Creates `dir` and its missing parents with mode 0700 (existing ones are left as they are).
core::Status makePrivateDirectories(const std::filesystem::path& dir);

}  // namespace ballast::scaling
