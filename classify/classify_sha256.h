/*
 * classify_sha256.h - SHA-256 (FIPS 180-4) for the model bundle's checksum;
 * private to classify/ (the module may not include pipeline/).
 */
#ifndef PCMON_CLASSIFY_SHA256_H
#define PCMON_CLASSIFY_SHA256_H

#include <stddef.h>
#include <stdint.h>

struct classify_sha256 {
	uint32_t h[8];
	uint64_t len; /* bytes hashed so far */
	unsigned char buf[64];
	size_t nbuf;
};

void classify_sha256_init(struct classify_sha256 *s);
void classify_sha256_update(struct classify_sha256 *s, const void *p, size_t n);
/* 32 bytes into out */
void classify_sha256_final(struct classify_sha256 *s, unsigned char out[32]);
/* sha256 of p[0..n) as 64 lowercase hex digits and a NUL */
void classify_sha256_hex(const void *p, size_t n, char hex[65]);

#endif
