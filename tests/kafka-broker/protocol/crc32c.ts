// CRC-32C (Castagnoli), the checksum of RecordBatch v2; node:zlib only offers plain CRC-32.
const table = buildTable(0x82f63b78)

function buildTable(polynomial: number): Uint32Array {
  const result = new Uint32Array(256)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) {
      c = c & 1 ? polynomial ^ (c >>> 1) : c >>> 1
    }
    result[n] = c >>> 0
  }
  return result
}

export function crc32c(data: Buffer): number {
  let crc = 0xffffffff
  for (const byte of data) {
    crc = (table[(crc ^ byte) & 0xff] ?? 0) ^ (crc >>> 8)
  }
  return (crc ^ 0xffffffff) >>> 0
}
