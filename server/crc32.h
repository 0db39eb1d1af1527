// CRC32 of response bodies for the x-amz-crc32 header, which AWS SDKs check
// against the bytes they received (a mismatch makes them retry the call).
#pragma once

#include <cstdint>
#include <string_view>

namespace ddb {

// The CRC-32 of zlib and Ethernet (reflected polynomial 0xEDB88320), which is
// the checksum DynamoDB puts in x-amz-crc32.
uint32_t Crc32(std::string_view bytes);

}  // namespace ddb
