#include "telemetry/logging.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <filesystem>

#include "core/clock.h"
#include "core/time_format.h"
#include "telemetry/system_stats.h"

using namespace ballast::telemetry;

TEST(Logging, RedactsCredentialHeaders) {
  EXPECT_EQ(redactHeader("Authorization", "Bearer abc"), "[redacted]");
  EXPECT_EQ(redactHeader("x-api-key", "k"), "[redacted]");
  EXPECT_EQ(redactHeader("Cookie", "s=1"), "[redacted]");
  EXPECT_EQ(redactHeader("Accept", "text/html"), "text/html");
}

TEST(Logging, JsonEscapeHandlesControlCharacters) {
  EXPECT_EQ(jsonEscape("a\"b\\c\n\x01"), "a\\\"b\\\\c\\n\\u0001");
}

TEST(Logging, WritesDailyCombinedAndErrorFilesAsJsonLines) {
  const auto dir = std::filesystem::temp_directory_path() / ("ballast-log-" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  ASSERT_TRUE(initLogging({"info", "json", dir.string(), false}).has_value());
  spdlog::info("hello \"world\"");
  spdlog::error("broken");
  spdlog::default_logger()->flush();
  // Daily files are named by the local date; the test machine runs in UTC.
  const auto date = ballast::core::isoDate(std::chrono::system_clock::now());
  const auto combined = readSmallFile((dir / ("combined-" + date + ".log")).string());
  const auto errors = readSmallFile((dir / ("error-" + date + ".log")).string());
  EXPECT_NE(combined.find(R"("msg":"hello \"world\"")"), std::string::npos) << combined;
  EXPECT_NE(combined.find("broken"), std::string::npos);
  EXPECT_EQ(errors.find("hello"), std::string::npos);
  EXPECT_NE(errors.find("broken"), std::string::npos);
  spdlog::set_default_logger(spdlog::stdout_logger_mt("test-stdout"));
  std::filesystem::remove_all(dir);
}

TEST(RecordedPath, KeepsShortPathsAndCutsLongOnesOnACharacterBoundary) {
  EXPECT_EQ(recordedPath("/api/infrastructure/services"), "/api/infrastructure/services");
  const std::string longPath = "/api/" + std::string(16000, 'a');
  const std::string cut = recordedPath(longPath);
  EXPECT_LE(cut.size(), kMaxRecordedPath);
  EXPECT_TRUE(cut.ends_with("…[cut]"));
  // A 2-byte character straddling the cut is dropped whole.
  std::string accented = "/" + std::string(kMaxRecordedPath - 10, 'b');
  for (int i = 0; i < 50; ++i) accented += "\xc3\xa9";
  const std::string kept = recordedPath(accented);
  EXPECT_LE(kept.size(), kMaxRecordedPath);
  const std::string body = kept.substr(0, kept.size() - std::string_view("…[cut]").size());
  EXPECT_NE(static_cast<unsigned char>(body.back()), 0xc3);
}
