/* SPDX-License-Identifier: BSD-3-Clause */
/* rte_cfgfile reads the file; a scan of our own first checks every line
 * (rte_cfgfile says that a file is bad, not where) and records the line of
 * each entry, so that a bad value is reported where it is. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cfgfile.h>

#include "dnsyn_cfgfile.h"

#define COMMENT '#'

struct scanned {
	char section[CFG_NAME_LEN];
	char key[CFG_NAME_LEN];
	unsigned int line;
};

static char *
trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* Every line: blank, a comment, [section] or key = value. */
static int
scan(const char *path, struct scanned **ret, unsigned int *n_ret, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	/* rte_cfgfile's own line buffer: a longer line, even a comment, makes it
	 * refuse the whole file without saying where, so it is refused here. */
	char buf[CFG_NAME_LEN + CFG_VALUE_LEN + 4], section[CFG_NAME_LEN] = "";
	char seen[64][CFG_NAME_LEN];
	unsigned int line = 0, n = 0, cap = 0, n_seen = 0, i;
	struct scanned *v = NULL;

	if (f == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -errno;
	}
	while (fgets(buf, sizeof(buf), f)) {
		char *s, *eq, *c;

		line++;
		if (strchr(buf, '\n') == NULL && !feof(f)) {
			snprintf(err, errlen, "%s:%u: line longer than %zu bytes", path, line,
				 sizeof(buf) - 2);
			goto fail;
		}
		c = strchr(buf, COMMENT);
		/* rte_cfgfile reads a first '#' after a backslash as part of the
		 * value: the value used would not be the one checked here. */
		if (c != NULL && c > buf && c[-1] == '\\') {
			snprintf(err, errlen,
				 "%s:%u: '\\%c' is not supported ('%c' always starts a comment)",
				 path, line, COMMENT, COMMENT);
			goto fail;
		}
		if (c)
			*c = '\0';
		s = trim(buf);
		if (*s == '\0')
			continue;
		if (*s == '[') {
			char *e = strchr(s, ']');

			if (e == NULL || e[1] != '\0' || e - s - 1 < 1 || e - s - 1 >= CFG_NAME_LEN) {
				snprintf(err, errlen, "%s:%u: expected [section]", path, line);
				goto fail;
			}
			*e = '\0';
			snprintf(section, sizeof(section), "%s", trim(s + 1));
			for (i = 0; i < n_seen; i++)
				if (strcmp(seen[i], section) == 0) {
					snprintf(err, errlen, "%s:%u: section [%s] given twice", path, line,
						 section);
					goto fail;
				}
			if (n_seen < 64)
				snprintf(seen[n_seen++], CFG_NAME_LEN, "%s", section);
			continue;
		}
		eq = strchr(s, '=');
		if (eq == NULL) {
			snprintf(err, errlen, "%s:%u: expected key = value", path, line);
			goto fail;
		}
		*eq = '\0';
		if (*section == '\0') {
			snprintf(err, errlen, "%s:%u: '%s' before any [section]", path, line, trim(s));
			goto fail;
		}
		if (*trim(s) == '\0' || strlen(trim(s)) >= CFG_NAME_LEN) {
			snprintf(err, errlen, "%s:%u: expected key = value", path, line);
			goto fail;
		}
		if (*trim(eq + 1) == '\0' || strlen(trim(eq + 1)) >= CFG_VALUE_LEN) {
			snprintf(err, errlen, "%s:%u: %s: value empty or longer than %d bytes", path,
				 line, trim(s), CFG_VALUE_LEN - 1);
			goto fail;
		}
		if (n == cap) {
			struct scanned *nv = realloc(v, (cap = cap ? 2 * cap : 32) * sizeof(*v));

			if (nv == NULL) {
				snprintf(err, errlen, "%s: out of memory", path);
				goto fail;
			}
			v = nv;
		}
		snprintf(v[n].section, CFG_NAME_LEN, "%s", section);
		snprintf(v[n].key, CFG_NAME_LEN, "%s", trim(s));
		v[n++].line = line;
	}
	fclose(f);
	*ret = v;
	*n_ret = n;
	return 0;
fail:
	fclose(f);
	free(v);
	return -EINVAL;
}

int
dnsyn_cfgfile_read(const char *path, struct dnsyn_conf_kv **ret, char *err, size_t errlen)
{
	struct rte_cfgfile_parameters params = {.comment_character = COMMENT};
	struct rte_cfgfile *cfg;
	struct scanned *sc = NULL;
	struct dnsyn_conf_kv *kv = NULL;
	unsigned int n_sc = 0, n = 0, k;
	int i, j, ns, rc;

	rc = scan(path, &sc, &n_sc, err, errlen);
	if (rc < 0)
		return rc;
	cfg = rte_cfgfile_load_with_params(path, 0, &params);
	if (cfg == NULL) {
		snprintf(err, errlen, "%s: rte_cfgfile cannot read it", path);
		free(sc);
		return -EINVAL;
	}
	kv = calloc(n_sc ? n_sc : 1, sizeof(*kv));
	ns = rte_cfgfile_num_sections(cfg, NULL, 0);
	for (i = 0; kv && i < ns; i++) {
		char name[CFG_NAME_LEN];
		struct rte_cfgfile_entry *e;
		/* sections by index: file order, the name filled in */
		int ne = rte_cfgfile_section_num_entries_by_index(cfg, name, i);

		if (ne < 0)
			break;
		if (ne == 0)
			continue;
		e = calloc((size_t)ne, sizeof(*e));
		if (e == NULL || rte_cfgfile_section_entries_by_index(cfg, i, name, e, ne) != ne) {
			free(e);
			break;
		}
		for (j = 0; j < ne && n < n_sc; j++, n++) {
			/* the scan saw the same entries in the same order */
			if (strcmp(sc[n].section, name) != 0 || strcmp(sc[n].key, e[j].name) != 0)
				break;
			kv[n].file = path;
			kv[n].line = sc[n].line;
			kv[n].section = strdup(name);
			kv[n].key = strdup(e[j].name);
			kv[n].value = strdup(e[j].value);
			if (!kv[n].section || !kv[n].key || !kv[n].value)
				break;
		}
		free(e);
		if (j < ne)
			break;
	}
	rte_cfgfile_close(cfg);
	if (kv == NULL || n != n_sc) {
		snprintf(err, errlen, "%s: could not be read consistently (entry %u)", path, n + 1);
		for (k = 0; kv && k < n; k++) {
			free((char *)(uintptr_t)kv[k].section);
			free((char *)(uintptr_t)kv[k].key);
			free((char *)(uintptr_t)kv[k].value);
		}
		free(kv);
		free(sc);
		return -EINVAL;
	}
	free(sc);
	*ret = kv;
	return (int)n;
}
