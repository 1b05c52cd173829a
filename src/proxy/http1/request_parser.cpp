#include "proxy/http1/request_parser.h"

#include "proxy/http1/char_class.h"
#include "proxy/http1/field_list.h"
#include "proxy/http1/framing.h"

namespace ballast::proxy::http1 {

RequestParser::RequestParser(const HeadLimits& limits) : reader_(MessageKind::kRequest, limits) {}

ParseResult RequestParser::parse(std::string_view buffer) {
  if (!reader_.begin(buffer)) return reader_.error();
  if (reader_.phase() == detail::HeadReader::Phase::kStartLine) {
    std::string_view line;
    do {  // RFC 9112 §2.2: empty lines before the request line are ignored
      const ParseResult step = reader_.nextLine(buffer, line);
      if (!step.done()) return step;
    } while (line.empty());
    if (const char* reason = parseRequestLine(buffer, line)) {
      return reader_.fail(reader_.codes().malformed, reason);
    }
    reader_.startLineParsed();
  }
  const ParseResult fields = reader_.readFields(buffer);
  if (!fields.done()) return fields;
  return finish(buffer, fields.consumed);
}

// request-line = method SP request-target SP HTTP-version, single SPs.
const char* RequestParser::parseRequestLine(std::string_view buffer,
                                            std::string_view line) noexcept {
  const std::size_t methodEnd = chars::spanOf(line, chars::kToken);
  if (methodEnd == 0 || methodEnd == line.size() || line[methodEnd] != ' ') {
    return "invalid method";
  }
  const std::string_view rest = line.substr(methodEnd + 1);
  const std::size_t targetEnd = chars::spanOfTarget(rest);
  if (targetEnd == 0 || targetEnd == rest.size() || rest[targetEnd] != ' ') {
    return "invalid request-target";
  }
  const int minor = detail::parseHttpVersion(rest.substr(targetEnd + 1));
  if (minor < 0) return "unsupported HTTP version";
  method_ = detail::Slice::of(buffer, line.substr(0, methodEnd));
  target_ = detail::Slice::of(buffer, rest.substr(0, targetEnd));
  versionMinor_ = minor;
  return nullptr;
}

ParseResult RequestParser::finish(std::string_view buffer, std::size_t headLength) {
  const detail::FieldFacts& facts = reader_.facts();
  const ErrorCodes& codes = reader_.codes();
  if (const char* reason = detail::checkFramingConflicts(facts)) {
    return reader_.fail(codes.malformed, reason);
  }
  BodyFraming body;
  if (facts.transferEncodingLines > 0) {
    // RFC 9112 §6.1: TE in HTTP/1.0 means faulty framing; §6.3: a request
    // whose final coding is not chunked has no determinable length.
    if (versionMinor_ == 0) return reader_.fail(codes.malformed, "Transfer-Encoding in HTTP/1.0");
    if (!facts.chunkedLast) return reader_.fail(codes.malformed, "final coding is not chunked");
    body.kind = BodyKind::kChunked;
  } else if (facts.contentLengthLines > 0) {
    if (facts.contentLength > reader_.maxBodyBytes()) {
      return reader_.fail(codes.payloadTooLarge, "Content-Length over the body limit");
    }
    body = {BodyKind::kContentLength, facts.contentLength};
  }
  // RFC 9112 §3.2: exactly one Host on HTTP/1.1, at most one on HTTP/1.0.
  if (facts.hostLines > 1) return reader_.fail(codes.malformed, "several Host fields");
  if (facts.hostLines == 0 && versionMinor_ == 1) {
    return reader_.fail(codes.malformed, "missing Host");
  }

  head_.method = method_.in(buffer);
  head_.target = target_.in(buffer);
  head_.hasHost = facts.hostLines == 1;
  head_.host = head_.hasHost ? facts.host.in(buffer) : std::string_view();
  if (const char* reason = applyTargetForm(head_.method, head_.target)) {
    return reader_.fail(codes.malformed, reason);
  }
  head_.versionMinor = versionMinor_;
  head_.headers = reader_.headers(buffer);
  head_.body = body;
  head_.keepAlive = detail::persistentConnection(facts, versionMinor_);
  // RFC 9110 §7.8: Upgrade is ignored on HTTP/1.0; §10.1.1: so is Expect.
  head_.upgrade = versionMinor_ == 1 && facts.connectionUpgrade && facts.upgradeHeader;
  head_.upgradeProtocol = head_.upgrade ? facts.upgrade.in(buffer) : std::string_view();
  head_.expectContinue = versionMinor_ == 1 && facts.expectContinue;
  return ParseResult::complete(headLength);
}

namespace {

// "http://" or "https://", any case: the length of the prefix, or 0.
std::size_t httpSchemePrefix(std::string_view target) noexcept {
  for (std::string_view scheme : {std::string_view("http://"), std::string_view("https://")}) {
    if (target.size() >= scheme.size() && equalsLower(target.substr(0, scheme.size()), scheme)) {
      return scheme.size();
    }
  }
  return 0;
}

// host [":" port] with Host's characters, not empty, no userinfo.
bool validAuthority(std::string_view authority) noexcept {
  return !authority.empty() && authority.find('@') == std::string_view::npos &&
         chars::spanOf(authority, chars::kHost) == authority.size() && authority.front() != ':';
}

}  // namespace

const char* RequestParser::applyTargetForm(std::string_view method, std::string_view target) noexcept {
  const bool connect = method == "CONNECT";
  if (target.front() == '/') {
    if (connect) return "CONNECT needs an authority-form target";
    head_.targetForm = TargetForm::kOrigin;
    head_.originTarget = target;
    return nullptr;
  }
  if (target == "*") {
    if (method != "OPTIONS") return "the asterisk target is only for OPTIONS";
    head_.targetForm = TargetForm::kAsterisk;
    head_.originTarget = target;
    return nullptr;
  }
  if (const std::size_t scheme = httpSchemePrefix(target); scheme > 0 && !connect) {
    const std::string_view rest = target.substr(scheme);
    const std::size_t end = rest.find_first_of("/?#");
    const std::string_view authority = rest.substr(0, end);
    if (!validAuthority(authority)) return "invalid authority in an absolute-form target";
    const std::string_view path = end == std::string_view::npos ? std::string_view() : rest.substr(end);
    if (!path.empty() && path.front() == '#') return "fragment in the request-target";
    head_.targetForm = TargetForm::kAbsolute;
    // Without a path this is "" or "?q": whoever writes it out puts "/" first.
    head_.originTarget = path;
    head_.host = authority;
    head_.hasHost = true;
    return nullptr;
  }
  if (connect && validAuthority(target) && target.find(':') != std::string_view::npos) {
    head_.targetForm = TargetForm::kAuthority;
    head_.originTarget = {};
    head_.host = target;
    head_.hasHost = true;
    return nullptr;
  }
  return connect ? "CONNECT needs an authority-form target" : "invalid request-target";
}

}  // namespace ballast::proxy::http1
