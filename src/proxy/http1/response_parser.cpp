#include "proxy/http1/response_parser.h"

#include "proxy/http1/char_class.h"
#include "proxy/http1/framing.h"

namespace ballast::proxy::http1 {

ResponseParser::ResponseParser(const HeadLimits& limits)
    : reader_(MessageKind::kResponse, limits) {}

ParseResult ResponseParser::parse(std::string_view buffer, std::string_view requestMethod) {
  if (!reader_.begin(buffer)) return reader_.error();
  if (reader_.phase() == detail::HeadReader::Phase::kStartLine) {
    std::string_view line;
    const ParseResult step = reader_.nextLine(buffer, line);
    if (!step.done()) return step;
    if (const char* reason = parseStatusLine(buffer, line)) {
      return reader_.fail(reader_.codes().malformed, reason);
    }
    reader_.startLineParsed();
  }
  const ParseResult fields = reader_.readFields(buffer);
  if (!fields.done()) return fields;
  return finish(buffer, fields.consumed, requestMethod);
}

// status-line = HTTP-version SP 3DIGIT SP [ reason-phrase ]. A missing SP
// after the code ("HTTP/1.1 200") is accepted, as most clients do.
const char* ResponseParser::parseStatusLine(std::string_view buffer,
                                            std::string_view line) noexcept {
  if (line.size() < 12) return "malformed status line";
  const int minor = detail::parseHttpVersion(line.substr(0, 8));
  if (minor < 0) return "unsupported HTTP version";
  if (line[8] != ' ' || !chars::isDigit(line[9]) || !chars::isDigit(line[10]) ||
      !chars::isDigit(line[11])) {
    return "malformed status code";
  }
  const int status = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
  if (status < 100 || status > 599) return "status code out of range";
  std::string_view reason = line.substr(12, 0);
  if (line.size() > 12) {
    if (line[12] != ' ') return "malformed status code";
    reason = line.substr(13);
    if (chars::spanOf(reason, chars::kFieldValue) != reason.size()) {
      return "invalid character in reason phrase";
    }
  }
  versionMinor_ = minor;
  status_ = status;
  reason_ = detail::Slice::of(buffer, reason);
  return nullptr;
}

ParseResult ResponseParser::finish(std::string_view buffer, std::size_t headLength,
                                   std::string_view requestMethod) {
  const detail::FieldFacts& facts = reader_.facts();
  if (const char* reason = detail::checkFramingConflicts(facts)) {
    return reader_.fail(reader_.codes().malformed, reason);
  }
  const bool noBody = status_ < 200 || status_ == 204 || status_ == 304 ||
                      requestMethod == "HEAD" || (requestMethod == "CONNECT" && status_ < 300);
  BodyFraming body;
  if (noBody) {
    body.kind = BodyKind::kNone;
  } else if (facts.transferEncodingLines > 0) {
    // RFC 9112 §6.3: chunked last → chunked; other codings → until close.
    // §6.1: Transfer-Encoding on HTTP/1.0 is faulty framing → until close.
    const bool chunked = versionMinor_ == 1 && facts.chunkedLast;
    body.kind = chunked ? BodyKind::kChunked : BodyKind::kUntilClose;
  } else if (facts.contentLengthLines > 0) {
    body = {BodyKind::kContentLength, facts.contentLength};
  } else {
    body.kind = BodyKind::kUntilClose;
  }

  head_.versionMinor = versionMinor_;
  head_.status = status_;
  head_.reason = reason_.in(buffer);
  head_.headers = reader_.headers(buffer);
  head_.body = body;
  head_.keepAlive =
      body.kind != BodyKind::kUntilClose && detail::persistentConnection(facts, versionMinor_);
  head_.upgradeProtocol =
      status_ == 101 && facts.upgradeHeader ? facts.upgrade.in(buffer) : std::string_view();
  return ParseResult::complete(headLength);
}

}  // namespace ballast::proxy::http1
