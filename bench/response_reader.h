// A minimal HTTP/1.x response reader for the load generator (loadgen.cc).
//
// Why not Beast: its parser with a string_body moved each body out of a small
// flat_buffer, so a 1 MB Scan page took ~2000 recv calls of ~512 bytes plus
// as many passes through Asio's composed operations, and the generator, not
// the server, was the bottleneck of Query and Scan.
#pragma once

#include <algorithm>
#include <boost/asio/buffer.hpp>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

namespace loadgen {

namespace asio = boost::asio;

// The first `n` bytes of a body, for error messages.
inline std::string Prefix(std::string_view body, size_t n) {
  return std::string(body.substr(0, n));
}

inline bool IEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

inline std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

// A minimal HTTP/1.x response reader over one reusable per-connection
// buffer. Bytes are received straight into the buffer (once a response's
// Content-Length is known, the buffer is grown to hold all of it, so one recv
// takes whatever the kernel has), and a Content-Length body is handed out as
// a view into it: no copy and no allocation per response once the buffer has
// grown. Handles responses split across reads at any byte and bytes of a
// following response in the same read (kept for the next one); also chunked
// bodies (dynalite answers a 413 that way) and bodies delimited by the end of
// the connection. Anything malformed is an error: the caller counts it and
// reconnects.
class ResponseReader {
 public:
  enum class State { kNeedMore, kDone, kError };

  // Free space for the next read: at least kMinRead bytes, and the whole rest
  // of the response when its length is known.
  asio::mutable_buffer Prepare() {
    size_t want = kMinRead;
    if (head_done_ && framing_ == Framing::kLength) {
      size_t total = body_start_ + content_length_;
      size_t have = end_ - begin_;
      if (total > have) want = std::max(want, total - have);
    }
    Reserve(want);
    return asio::buffer(data_.get() + end_, capacity_ - end_);
  }
  void Commit(size_t n) { end_ += n; }

  // Tries to complete the current response from the bytes received so far.
  State Parse() {
    std::string_view data(data_.get() + begin_, end_ - begin_);
    if (!head_done_) {
      size_t from = scanned_ > 3 ? scanned_ - 3 : 0;
      size_t at = data.find("\r\n\r\n", from);
      if (at == std::string_view::npos) {
        scanned_ = data.size();
        if (data.size() > kMaxHead) return Fail("response head over 64 KB");
        return State::kNeedMore;
      }
      if (at + 4 > kMaxHead) return Fail("response head over 64 KB");
      if (!ParseHead(data.substr(0, at + 2))) return State::kError;
      body_start_ = at + 4;
      head_done_ = true;
      chunk_pos_ = body_start_;
    }
    switch (framing_) {
      case Framing::kNone:
        body_ = {};
        response_end_ = body_start_;
        return State::kDone;
      case Framing::kLength:
        if (data.size() - body_start_ < content_length_)
          return State::kNeedMore;
        body_ = data.substr(body_start_, content_length_);
        response_end_ = body_start_ + content_length_;
        return State::kDone;
      case Framing::kChunked:
        return ParseChunks(data);
      case Framing::kEof:
        if (data.size() - body_start_ > kMaxBody)
          return Fail("body over 64 MB");
        return State::kNeedMore;
    }
    return Fail("unreachable");
  }

  // The peer closed the connection.
  State OnEof() {
    if (head_done_ && framing_ == Framing::kEof) {
      body_ = std::string_view(data_.get() + begin_ + body_start_,
                               end_ - begin_ - body_start_);
      response_end_ = end_ - begin_;
      keep_alive_ = false;
      return State::kDone;
    }
    return Fail(end_ == begin_ ? "end of stream" : "partial message");
  }

  // Valid after kDone, until Consume().
  int status() const { return status_; }
  bool keep_alive() const { return keep_alive_; }
  std::string_view body() const { return body_; }
  // Valid after kError.
  const std::string& error() const { return error_; }

  // Drops the completed response; bytes after it stay for the next one.
  void Consume() {
    begin_ += response_end_;
    if (begin_ == end_) begin_ = end_ = 0;
    ResetResponse();
  }

  // A new connection: drops everything but the memory.
  void Reset() {
    begin_ = end_ = 0;
    ResetResponse();
  }

 private:
  enum class Framing { kNone, kLength, kChunked, kEof };
  enum class Chunk { kSize, kData, kTrailer };
  static constexpr size_t kMinRead = 64 * 1024;
  static constexpr size_t kInitialCapacity = 256 * 1024;
  static constexpr size_t kMaxHead = 64 * 1024;
  static constexpr size_t kMaxBody = 64 * 1024 * 1024;

  void ResetResponse() {
    head_done_ = false;
    scanned_ = 0;
    body_start_ = 0;
    content_length_ = 0;
    response_end_ = 0;
    status_ = 0;
    keep_alive_ = false;
    framing_ = Framing::kNone;
    chunk_ = Chunk::kSize;
    chunk_pos_ = 0;
    chunk_size_ = 0;
    decoded_.clear();
    body_ = {};
  }

  State Fail(std::string what) {
    error_ = std::move(what);
    return State::kError;
  }

  // Makes room for `want` more bytes after end_, moving the unconsumed bytes
  // to the front or growing (offsets are relative to begin_, so both keep
  // them valid).
  void Reserve(size_t want) {
    if (capacity_ - end_ >= want) return;
    size_t used = end_ - begin_;
    if (begin_ > 0 && capacity_ - used >= want) {
      std::memmove(data_.get(), data_.get() + begin_, used);
    } else {
      size_t capacity =
          std::max({kInitialCapacity, 2 * capacity_, used + want});
      std::unique_ptr<char[]> data(new char[capacity]);
      if (used) std::memcpy(data.get(), data_.get() + begin_, used);
      data_ = std::move(data);
      capacity_ = capacity;
    }
    begin_ = 0;
    end_ = used;
  }

  // `head`: the status line and the header lines, each ending in CRLF.
  bool ParseHead(std::string_view head) {
    size_t eol = head.find("\r\n");
    std::string_view line = head.substr(0, eol);
    // HTTP/1.x SSS[ reason]
    if (line.size() < 12 || line.substr(0, 5) != "HTTP/" || line[5] != '1' ||
        line[6] != '.' || (line[7] != '0' && line[7] != '1') ||
        line[8] != ' ' || (line.size() > 12 && line[12] != ' ')) {
      Fail("bad status line: " + Prefix(line, 100));
      return false;
    }
    int status = 0;
    for (size_t i = 9; i < 12; ++i) {
      if (line[i] < '0' || line[i] > '9') {
        Fail("bad status line: " + Prefix(line, 100));
        return false;
      }
      status = status * 10 + (line[i] - '0');
    }
    if (status < 100) {
      Fail("bad status line: " + Prefix(line, 100));
      return false;
    }
    bool http11 = line[7] == '1';
    bool has_length = false, chunked = false, close = false, keep = false;
    uint64_t length = 0;
    for (size_t at = eol + 2; at < head.size();) {
      size_t end = head.find("\r\n", at);
      line = head.substr(at, end - at);
      at = end + 2;
      size_t colon = line.find(':');
      if (colon == 0 || colon == std::string_view::npos ||
          line.substr(0, colon).find_first_of(" \t") !=
              std::string_view::npos) {
        Fail("bad header line: " + Prefix(line, 100));
        return false;
      }
      std::string_view name = line.substr(0, colon);
      std::string_view value = Trim(line.substr(colon + 1));
      if (IEquals(name, "content-length")) {
        uint64_t n = 0;
        bool ok = !value.empty() && value.size() <= 18;
        for (char c : value) {
          if (c < '0' || c > '9') ok = false;
          n = n * 10 + static_cast<uint64_t>(c - '0');
        }
        if (!ok || (has_length && n != length)) {
          Fail("bad Content-Length: " + Prefix(value, 40));
          return false;
        }
        has_length = true;
        length = n;
      } else if (IEquals(name, "transfer-encoding")) {
        // Only "chunked" (last) is understood.
        size_t comma = value.rfind(',');
        std::string_view last = Trim(
            comma == std::string_view::npos ? value : value.substr(comma + 1));
        if (!IEquals(last, "chunked")) {
          Fail("unsupported Transfer-Encoding: " + Prefix(value, 40));
          return false;
        }
        chunked = true;
      } else if (IEquals(name, "connection")) {
        while (!value.empty()) {
          size_t comma = value.find(',');
          std::string_view token = Trim(value.substr(0, comma));
          if (IEquals(token, "close")) close = true;
          if (IEquals(token, "keep-alive")) keep = true;
          value = comma == std::string_view::npos ? std::string_view()
                                                  : value.substr(comma + 1);
        }
      }
    }
    status_ = status;
    keep_alive_ = !close && (http11 || keep);
    if (status / 100 == 1 || status == 204 || status == 304) {
      framing_ = Framing::kNone;
    } else if (chunked) {
      if (has_length) {
        Fail("both Content-Length and Transfer-Encoding");
        return false;
      }
      framing_ = Framing::kChunked;
    } else if (has_length) {
      if (length > kMaxBody) {
        Fail("body over 64 MB");
        return false;
      }
      framing_ = Framing::kLength;
      content_length_ = static_cast<size_t>(length);
    } else {
      framing_ = Framing::kEof;  // the body ends with the connection
      keep_alive_ = false;
    }
    return true;
  }

  // Decodes the chunks received so far into decoded_ (chunk_pos_ is where
  // the next unparsed byte starts, relative to begin_).
  State ParseChunks(std::string_view data) {
    for (;;) {
      if (chunk_ == Chunk::kData) {
        if (data.size() - chunk_pos_ < chunk_size_ + 2) return State::kNeedMore;
        if (data[chunk_pos_ + chunk_size_] != '\r' ||
            data[chunk_pos_ + chunk_size_ + 1] != '\n')
          return Fail("bad chunk end");
        decoded_.append(data.substr(chunk_pos_, chunk_size_));
        chunk_pos_ += chunk_size_ + 2;
        chunk_ = Chunk::kSize;
        continue;
      }
      size_t eol = data.find("\r\n", chunk_pos_);
      if (eol == std::string_view::npos) {
        if (data.size() - chunk_pos_ > kMaxHead)
          return Fail("chunk line over 64 KB");
        return State::kNeedMore;
      }
      std::string_view line = data.substr(chunk_pos_, eol - chunk_pos_);
      chunk_pos_ = eol + 2;
      if (chunk_ == Chunk::kTrailer) {
        if (!line.empty()) continue;  // a trailer field: ignored
        body_ = decoded_;
        response_end_ = chunk_pos_;
        return State::kDone;
      }
      // chunk-size [; extensions]
      size_t size = 0, digits = 0;
      for (; digits < line.size(); ++digits) {
        char c = line[digits];
        int v = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
        if (v < 0) break;
        size = size * 16 + static_cast<size_t>(v);
        if (size > kMaxBody) return Fail("body over 64 MB");
      }
      std::string_view rest = Trim(line.substr(digits));
      if (digits == 0 || (!rest.empty() && rest.front() != ';'))
        return Fail("bad chunk size: " + Prefix(line, 40));
      if (decoded_.size() + size > kMaxBody) return Fail("body over 64 MB");
      if (size == 0) {
        chunk_ = Chunk::kTrailer;
      } else {
        chunk_ = Chunk::kData;
        chunk_size_ = size;
      }
    }
  }

  std::unique_ptr<char[]> data_;
  size_t capacity_ = 0;
  size_t begin_ = 0;  // start of the current response
  size_t end_ = 0;    // end of the bytes received
  // The current response (offsets relative to begin_).
  bool head_done_ = false;
  size_t scanned_ = 0;  // bytes searched for the end of the head
  size_t body_start_ = 0;
  size_t content_length_ = 0;
  size_t response_end_ = 0;
  int status_ = 0;
  bool keep_alive_ = false;
  Framing framing_ = Framing::kNone;
  Chunk chunk_ = Chunk::kSize;
  size_t chunk_pos_ = 0;
  size_t chunk_size_ = 0;
  std::string decoded_;  // a chunked body
  std::string_view body_;
  std::string error_;
};

}  // namespace loadgen
