// SPDX-License-Identifier: GPL-2.0 OR MIT
/* DSSE v1: PAE, signing, strict parsing, verification. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "evidence/canon.h"
#include "evidence/dsse.h"

int dsse_pae(const char *type, const uint8_t *body, size_t n, struct buf *out)
{
	if (buf_printf(out, "DSSEv1 %zu %s %zu ", strlen(type), type, n))
		return -ENOMEM;
	return buf_put(out, body, n);
}

int dsse_sign(const char *type, const uint8_t *payload, size_t n, const struct pl_seckey *const *keys, size_t nkeys,
	      struct buf *out, struct plerr *e)
{
	struct buf pae = { 0 };
	json_t *env = NULL, *sigs, *s;
	uint8_t sig[ED25519_SIG_LEN];
	char *b64 = NULL;
	size_t i;
	int ret = -ENOMEM;

	if (nkeys == 0 || nkeys > DSSE_MAX_SIGS)
		return plerr_set(e, -EINVAL, "DSSE: need 1 to %d signing keys", DSSE_MAX_SIGS);
	if (dsse_pae(type, payload, n, &pae))
		goto out;
	b64 = b64_encode(payload, n);
	sigs = json_array();
	env = json_object();
	if (!b64 || !sigs || !env || json_object_set_new(env, "payload", json_string(b64)) ||
	    json_object_set_new(env, "payloadType", json_string(type)) || json_object_set_new(env, "signatures", sigs))
		goto out;
	for (i = 0; i < nkeys; i++) {
		seckey__sign(keys[i], pae.p, pae.len, sig);
		free(b64);
		b64 = b64_encode(sig, sizeof(sig));
		s = json_object();
		if (!b64 || !s || json_array_append_new(sigs, s) ||
		    json_object_set_new(s, "keyid", json_string(keys[i]->pub.keyid)) ||
		    json_object_set_new(s, "sig", json_string(b64)))
			goto out;
	}
	ret = canon_dump(env, out, e);
out:
	if (ret == -ENOMEM)
		plerr_set(e, ret, "out of memory");
	free(b64);
	json_decref(env);
	buf_free(&pae);
	return ret;
}

/* Object with exactly the listed keys? */
static int exact_keys(json_t *o, const char *const *keys, size_t n, const char *what, struct plerr *e)
{
	const char *k;
	json_t *v;
	size_t i;

	if (!json_is_object(o))
		return plerr_set(e, -EINVAL, "%s is not a JSON object", what);
	for (i = 0; i < n; i++)
		if (!json_object_get(o, keys[i]))
			return plerr_set(e, -EINVAL, "%s lacks \"%s\"", what, keys[i]);
	json_object_foreach(o, k, v) {
		for (i = 0; i < n && strcmp(k, keys[i]); i++)
			;
		if (i == n)
			return plerr_set(e, -EINVAL, "%s has unknown member \"%s\"", what, k);
	}
	return 0;
}

int dsse_parse(const uint8_t *p, size_t n, struct dsse_env *env, struct plerr *e)
{
	static const char *const env_keys[] = { "payload", "payloadType", "signatures" };
	static const char *const sig_keys[] = { "keyid", "sig" };
	json_t *root, *sigs, *s, *payload;
	const char *str;
	size_t i, len;
	char what[64];
	int ret;

	memset(env, 0, sizeof(*env));
	if (n > DSSE_MAX_LEN)
		return plerr_set(e, -EFBIG, "DSSE envelope larger than %u bytes", DSSE_MAX_LEN);
	root = canon_parse(p, n, e);
	if (!root)
		return -EINVAL;
	ret = exact_keys(root, env_keys, 3, "DSSE envelope", e);
	if (ret)
		goto fail;
	payload = json_object_get(root, "payload");
	sigs = json_object_get(root, "signatures");
	if (!json_is_string(payload) || !json_is_string(json_object_get(root, "payloadType"))) {
		ret = plerr_set(e, -EINVAL, "DSSE envelope: payload and payloadType must be strings");
		goto fail;
	}
	if (!json_is_array(sigs) || json_array_size(sigs) == 0 || json_array_size(sigs) > DSSE_MAX_SIGS) {
		ret = plerr_set(e, -EINVAL, "DSSE envelope: signatures must be an array of 1 to %d entries",
				DSSE_MAX_SIGS);
		goto fail;
	}
	env->payload_type = strdup(json_string_value(json_object_get(root, "payloadType")));
	if (!env->payload_type) {
		ret = plerr_set(e, -ENOMEM, "out of memory");
		goto fail;
	}
	ret = b64_decode(json_string_value(payload), json_string_length(payload), &env->payload, &env->payload_len);
	if (ret) {
		ret = plerr_set(e, -EINVAL, "DSSE envelope: payload is not standard padded base64");
		goto fail;
	}
	json_array_foreach(sigs, i, s) {
		snprintf(what, sizeof(what), "DSSE signature %zu", i);
		ret = exact_keys(s, sig_keys, 2, what, e);
		if (ret)
			goto fail;
		str = json_string_value(json_object_get(s, "keyid"));
		if (!str || !is_sha256_hex(str)) {
			ret = plerr_set(e, -EINVAL, "%s: keyid is not 64 lowercase hex digits", what);
			goto fail;
		}
		memcpy(env->sigs[i].keyid, str, KEYID_HEX_LEN);
		str = json_string_value(json_object_get(s, "sig"));
		if (!str || b64_decode_into(str, strlen(str), env->sigs[i].sig, ED25519_SIG_LEN, &len) ||
		    len != ED25519_SIG_LEN) {
			ret = plerr_set(e, -EINVAL, "%s: sig is not a base64 64-byte Ed25519 signature", what);
			goto fail;
		}
		env->nsigs++;
	}
	json_decref(root);
	return 0;
fail:
	json_decref(root);
	dsse_env__free(env);
	return ret ? ret : -EINVAL;
}

void dsse_env__free(struct dsse_env *env)
{
	free(env->payload_type);
	free(env->payload);
	memset(env, 0, sizeof(*env));
}

int dsse_check_sigs(const struct dsse_env *env, const struct pl_pubkey *trusted, size_t ntrusted,
		    struct dsse_sig_check res[DSSE_MAX_SIGS], struct plerr *e)
{
	struct buf pae = { 0 };
	size_t i, j;
	bool named;

	if (dsse_pae(env->payload_type, env->payload, env->payload_len, &pae))
		return plerr_set(e, -ENOMEM, "out of memory");
	for (i = 0; i < env->nsigs; i++) {
		struct dsse_sig_check *r = &res[i];

		memset(r, 0, sizeof(*r));
		named = false;
		for (j = 0; j < ntrusted; j++)
			if (!strcmp(trusted[j].keyid, env->sigs[i].keyid))
				named = true;
		/*
		 * Every entry is tried (one key may be trusted in two roles), but
		 * when the key id names a trusted key only entries with that key
		 * count: a signature cannot be claimed for a key and then be
		 * credited to another.
		 */
		for (j = 0; j < ntrusted; j++) {
			if (named && strcmp(trusted[j].keyid, env->sigs[i].keyid))
				continue;
			if (!pubkey__verify(&trusted[j], pae.p, pae.len, env->sigs[i].sig))
				continue;
			if (!r->key)
				r->key = &trusted[j];
			if (trusted[j].role < __PL_ROLE_MAX && !r->by_role[trusted[j].role])
				r->by_role[trusted[j].role] = &trusted[j];
			r->status = DSSE_SIG_VALID;
		}
		if (named && r->status != DSSE_SIG_VALID) {
			r->status = DSSE_SIG_BAD;
			for (j = 0; j < ntrusted && strcmp(trusted[j].keyid, env->sigs[i].keyid); j++)
				;
			r->key = &trusted[j];
		}
	}
	buf_free(&pae);
	return 0;
}

enum sig_verdict dsse_sig_verdict(const struct dsse_env *env, const struct dsse_sig_check res[DSSE_MAX_SIGS],
				  enum pl_role want, const char *what, const struct pl_pubkey **signer,
				  unsigned int *unknown, struct plerr *e)
{
	const struct pl_pubkey *any = NULL, *exact = NULL, *first = NULL;
	size_t i, valid = 0;

	if (unknown)
		*unknown = 0;
	for (i = 0; i < env->nsigs; i++) {
		if (res[i].status == DSSE_SIG_BAD) {
			plerr_set(
				e, -EBADMSG,
				"bad signature: signature %zu, made for trusted %s key %.16s..., does not verify over "
				"this payload (payload or signature changed after signing)",
				i, role_name(res[i].key->role), env->sigs[i].keyid);
			return SIGV_BAD;
		}
	}
	for (i = 0; i < env->nsigs; i++) {
		if (res[i].status != DSSE_SIG_VALID) {
			if (unknown)
				(*unknown)++;
			continue;
		}
		valid++;
		if (!first)
			first = res[i].key;
		if (!exact)
			exact = want == PL_ROLE_ANY ? res[i].key : res[i].by_role[want];
		if (!any)
			any = res[i].by_role[PL_ROLE_ANY];
	}
	if (!valid) {
		plerr_set(e, -EBADMSG, "no valid signature by a trusted key (signed by key id %.16s...%s)",
			  env->sigs[0].keyid, env->nsigs > 1 ? " and others" : "");
		return SIGV_UNTRUSTED;
	}
	if (exact || any) {
		*signer = exact ? exact : any;
		return SIGV_OK;
	}
	{
		char roles[64] = "";
		size_t len = 0;
		int r;

		/* Which roles did sign: "reader", "reader and operator". */
		for (r = PL_ROLE_READER; r < __PL_ROLE_MAX; r++) {
			for (i = 0; i < env->nsigs; i++)
				if (res[i].status == DSSE_SIG_VALID && res[i].by_role[r])
					break;
			if (i == env->nsigs)
				continue;
			len += (size_t)snprintf(roles + len, sizeof(roles) - len, "%s%s", len ? " and " : "",
						role_name((enum pl_role)r));
		}
		plerr_set(e, -EBADMSG, "signed only by %s key%s (%.16s...%s); only %s keys sign %s", roles,
			  strchr(roles, ' ') ? "s" : "", first->keyid, valid > 1 ? ", ..." : "", role_name(want), what);
	}
	return SIGV_WRONG_ROLE;
}

int dsse_verify(const struct dsse_env *env, const struct pl_pubkey *trusted, size_t ntrusted,
		const struct pl_pubkey **signer, struct plerr *e)
{
	struct dsse_sig_check res[DSSE_MAX_SIGS];
	int ret;

	ret = dsse_check_sigs(env, trusted, ntrusted, res, e);
	if (ret)
		return ret;
	return dsse_sig_verdict(env, res, PL_ROLE_ANY, "it", signer, NULL, e) == SIGV_OK ? 0 : -EBADMSG;
}
