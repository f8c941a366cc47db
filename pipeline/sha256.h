/*
 * sha256.h - SHA-256 (FIPS 180-4), small and dependency-free: the store
 * fingerprints raw bodies and builds item identities with it.  Neither
 * libcurl nor OpenSSL is guaranteed to offer one.
 */
#ifndef PCMON_SHA256_H
#define PCMON_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_DIGEST_SIZE 32
#define SHA256_HEX_SIZE    65 /* 64 hex digits and the NUL */

/* Embedded state: sha256_init(), any number of sha256_update(), then
 * sha256_final(); nothing to release. */
struct sha256_ctx {
	uint32_t h[8];
	uint64_t bytes;        /* message length so far */
	unsigned char buf[64]; /* pending partial block */
	size_t nbuf;
};

void sha256_init(struct sha256_ctx *c);
void sha256_update(struct sha256_ctx *c, const void *data, size_t len);
void sha256_final(struct sha256_ctx *c, unsigned char out[SHA256_DIGEST_SIZE]);

/* One-shot: lower-case hex digest of data into out. */
void sha256_hex(const void *data, size_t len, char out[SHA256_HEX_SIZE]);

#endif
