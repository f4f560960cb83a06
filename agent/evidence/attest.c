// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Trace/v1 statements. */
#include <errno.h>
#include <string.h>

#include "evidence/attest.h"
#include "evidence/statement.h"

json_t *attest_trace_predicate(const struct trace *t)
{
	const struct trace_info *ti = &t->info;

	return json_pack("{s:s,s:I,s:s,s:i,s:s,s:{s:s,s:s,s:s},s:I,s:I,s:I,s:I,s:s,s:I,s:I}", "clock",
			 ti->flags & PLTR_F_REALTIME ? "realtime" : "monotonic", "dev_id", (json_int_t)ti->dev_id,
			 "fingerprint", ti->fingerprint, "format_version", (int)ti->version, "host", ti->host, "mfr", "id",
			 ti->mfr_id, "model", ti->mfr_model, "serial", ti->mfr_serial, "period_ns",
			 (json_int_t)ti->period_ns, "rails", (json_int_t)ti->rails, "record_size",
			 (json_int_t)ti->record_size, "samples", (json_int_t)t->n, "source",
			 trace_source_name(ti->source), "t0_ns", (json_int_t)(t->n ? t->s[0].ts_ns : 0), "t_end_ns",
			 (json_int_t)(t->n ? t->s[t->n - 1].ts_ns : 0));
}

int attest_trace(const char *path, const struct pl_seckey *k, struct buf *env, char digest[SHA256_HEX_LEN],
		 struct plerr *e)
{
	char local[SHA256_HEX_LEN];
	struct trace t;
	json_t *stmt;
	int ret;

	if (!digest)
		digest = local; /* the subject needs it whether or not the caller does */
	ret = trace_load_digest(path, &t, digest, e);
	if (ret)
		return ret;
	if (t.n && t.s[t.n - 1].ts_ns > (uint64_t)INT64_MAX) {
		ret = plerr_set(e, -ERANGE, "%s: timestamps beyond int64 cannot be signed", path);
		goto out;
	}
	stmt = statement_new(PL_KIND_TRACE, json_pack("[o]", subject_new(path_base(path), digest)),
			     attest_trace_predicate(&t));
	if (!stmt) {
		ret = plerr_set(e, -ENOMEM, "out of memory");
		goto out;
	}
	ret = statement_sign(stmt, k, env, e);
	json_decref(stmt);
out:
	trace__free(&t);
	return ret;
}
