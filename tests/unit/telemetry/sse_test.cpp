// Server-Sent Events framing: fields, multi-line data, comments, retry.
#include "telemetry/sse.h"

#include <gtest/gtest.h>

using namespace ballast::telemetry;

TEST(Sse, OneEvent) {
  std::string out;
  appendSseEvent(out, "event-7", "health", R"({"id":"event-7"})");
  EXPECT_EQ(out, "id: event-7\nevent: health\ndata: {\"id\":\"event-7\"}\n\n");
}

TEST(Sse, DataLinesAreSplitOnEveryLineEnding) {
  std::string out;
  appendSseEvent(out, "1", "", "a\nb\r\nc\rd");
  EXPECT_EQ(out, "id: 1\ndata: a\ndata: b\ndata: c\ndata: d\n\n");
}

TEST(Sse, LineBreaksCannotEscapeTheIdOrEventField) {
  std::string out;
  appendSseEvent(out, "1\n\ndata: x", "health\r\nid: 9", "ok");
  EXPECT_EQ(out, "id: 1data: x\nevent: healthid: 9\ndata: ok\n\n");
}

TEST(Sse, CommentsAndRetry) {
  std::string out;
  appendSseComment(out, "heartbeat");
  appendSseComment(out, "");
  appendSseRetry(out, std::chrono::milliseconds(3000));
  EXPECT_EQ(out, ": heartbeat\n\n:\n\nretry: 3000\n\n");
}
