// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Workload/v1 claims. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "evidence/statement.h"
#include "evidence/workload.h"

json_t *claim_predicate(const struct claim *c)
{
	return json_pack("{s:s,s:s,s:I,s:{s:I,s:I},s:s}", "hardware_fingerprint", c->fingerprint, "model", c->model,
			 "tokens_per_s", (json_int_t)c->tokens_per_s, "window", "end_ns", (json_int_t)c->end_ns,
			 "start_ns", (json_int_t)c->start_ns, "workload", c->workload);
}

json_t *claim_statement(const struct claim *c)
{
	return statement_new(PL_KIND_WORKLOAD, json_pack("[o]", subject_new("hardware", c->fingerprint)),
			     claim_predicate(c));
}

int claim_from_predicate(json_t *pred, struct claim *c, struct plerr *e)
{
	json_t *w = json_object_get(pred, "window");

	memset(c, 0, sizeof(*c));
	if (!json_is_object(w))
		return plerr_set(e, -EINVAL, "claim has no window");
	snprintf(c->model, sizeof(c->model), "%s", json_string_value(json_object_get(pred, "model")));
	snprintf(c->fingerprint, sizeof(c->fingerprint), "%s",
		 json_string_value(json_object_get(pred, "hardware_fingerprint")));
	snprintf(c->workload, sizeof(c->workload), "%s", json_string_value(json_object_get(pred, "workload")));
	c->tokens_per_s = (uint64_t)json_integer_value(json_object_get(pred, "tokens_per_s"));
	c->start_ns = (uint64_t)json_integer_value(json_object_get(w, "start_ns"));
	c->end_ns = (uint64_t)json_integer_value(json_object_get(w, "end_ns"));
	return 0;
}
