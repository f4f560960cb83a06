// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Trusted public key sets from --key and --keydir. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "evidence/keyring.h"

static int keyring_push(struct keyring *kr, const struct pl_pubkey *k)
{
	struct pl_pubkey *p = realloc(kr->keys, (kr->n + 1) * sizeof(*p));

	if (!p)
		return -ENOMEM;
	kr->keys = p;
	kr->keys[kr->n++] = *k;
	return 0;
}

int keyring_role_parse(const char *s, enum pl_role *out, struct plerr *e)
{
	if (role_parse(s, out))
		return plerr_set(e, -EINVAL, "unknown role '%s' (reader, operator, vendor)", s);
	return 0;
}

bool role_allows(enum pl_role key_role, enum pl_role want)
{
	return key_role == PL_ROLE_ANY || key_role == want;
}

int keyring_add_spec(struct keyring *kr, const char *spec, struct plerr *e)
{
	enum pl_role role = PL_ROLE_ANY;
	const char *eq = strchr(spec, '='), *slash = strchr(spec, '/'), *path = spec;
	struct pl_pubkey k;
	char rname[16];
	int ret;

	/*
	 * ROLE=PATH.  A misspelt role must not fall back to reading the whole
	 * spec as a file name: that hid "admin=x.pub" behind "No such file".
	 */
	if (eq && (!slash || eq < slash)) {
		if ((size_t)(eq - spec) >= sizeof(rname))
			return plerr_set(e, -EINVAL, "%s: unknown role '%.*s...' (reader, operator, vendor)", spec,
					 (int)sizeof(rname) - 1, spec);
		memcpy(rname, spec, (size_t)(eq - spec));
		rname[eq - spec] = 0;
		ret = keyring_role_parse(rname, &role, e);
		if (ret) {
			plerr_prefix(e, spec);
			return ret;
		}
		path = eq + 1;
	}
	ret = pubkey__load(&k, path, e);
	if (ret)
		return ret;
	k.role = role;
	if (keyring_push(kr, &k))
		return plerr_set(e, -ENOMEM, "out of memory");
	return 0;
}

int keyring_add_dir(struct keyring *kr, const char *dir, struct plerr *e)
{
	static const enum pl_role roles[] = { PL_ROLE_READER, PL_ROLE_OPERATOR, PL_ROLE_VENDOR };
	struct pl_pubkey k;
	char name[32], *path;
	size_t i, found = 0;
	int ret;

	if (!path_is_dir(dir))
		return plerr_set(e, -ENOTDIR, "%s: not a directory", dir);
	for (i = 0; i < sizeof(roles) / sizeof(roles[0]); i++) {
		snprintf(name, sizeof(name), "%s.pub", role_name(roles[i]));
		path = path_join(dir, name);
		if (!path)
			return plerr_set(e, -ENOMEM, "out of memory");
		if (access(path, F_OK)) {
			free(path);
			continue;
		}
		ret = pubkey__load(&k, path, e);
		free(path);
		if (ret)
			return ret;
		k.role = roles[i];
		if (keyring_push(kr, &k))
			return plerr_set(e, -ENOMEM, "out of memory");
		found++;
	}
	if (!found)
		return plerr_set(e, -ENOENT, "%s: no reader.pub, operator.pub or vendor.pub", dir);
	return 0;
}

void keyring__free(struct keyring *kr)
{
	free(kr->keys);
	kr->keys = NULL;
	kr->n = 0;
}
