#include "proxy/io_buffer.h"

#include <gtest/gtest.h>

using ballast::proxy::IoBuffer;

TEST(ProxyIoBuffer, AppendsConsumesAndCompacts) {
  IoBuffer buffer;
  size_t available = 0;
  char* space = buffer.prepare(5, available);
  ASSERT_GE(available, 5u);
  std::memcpy(space, "hello", 5);
  buffer.commit(5);
  EXPECT_EQ(buffer.data(), "hello");
  buffer.consume(2);
  EXPECT_EQ(buffer.data(), "llo");
  // Asking for nearly a whole block moves the data to the front.
  space = buffer.prepare(IoBuffer::kBlockSize - 3, available);
  EXPECT_GE(available, IoBuffer::kBlockSize - 3);
  EXPECT_EQ(buffer.data(), "llo");
}

TEST(ProxyIoBuffer, GrowsUpToTheLimitAndKeepsData) {
  IoBuffer buffer;
  size_t available = 0;
  std::string written;
  for (int i = 0; i < 5; ++i) {
    char* space = buffer.prepare(IoBuffer::kBlockSize, available, 8 * IoBuffer::kBlockSize);
    std::string part(IoBuffer::kBlockSize, static_cast<char>('a' + i));
    std::memcpy(space, part.data(), part.size());
    buffer.commit(part.size());
    written += part;
  }
  EXPECT_EQ(buffer.data(), written);
}

TEST(ProxyIoBuffer, ReleasesStorageOnlyWhenEmpty) {
  IoBuffer buffer;
  size_t available = 0;
  buffer.prepare(1, available);
  buffer.commit(1);
  buffer.releaseIfEmpty();
  EXPECT_EQ(buffer.size(), 1u);
  buffer.consume(1);
  buffer.releaseIfEmpty();
  EXPECT_TRUE(buffer.empty());
}
