/* Capabilities narrowed: CAP_NET_RAW and CAP_SYS_TIME dropped from the bounding set, CAP_MKNOD from the
   effective and permitted sets, CAP_CHOWN kept permitted but not effective, CAP_KILL inheritable, and the
   no_new_privs bit set: after the move the sets are as left. */
#include "corpus.h"
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

static int capget_(struct __user_cap_data_struct data[2])
{
    struct __user_cap_header_struct head = { .version = _LINUX_CAPABILITY_VERSION_3 };
    return (int)syscall(SYS_capget, &head, data);
}

static int capset_(struct __user_cap_data_struct data[2])
{
    struct __user_cap_header_struct head = { .version = _LINUX_CAPABILITY_VERSION_3 };
    return (int)syscall(SYS_capset, &head, data);
}

#define BIT(cap) (1u << ((cap) & 31))

int main(void)
{
    SETUP_OK(prctl(PR_CAPBSET_DROP, CAP_NET_RAW) == 0 && prctl(PR_CAPBSET_DROP, CAP_SYS_TIME) == 0, "PR_CAPBSET_DROP");
    struct __user_cap_data_struct caps[2];
    SETUP_OK(capget_(caps) == 0, "capget");
    caps[0].effective &= ~(BIT(CAP_MKNOD) | BIT(CAP_CHOWN));
    caps[0].permitted &= ~BIT(CAP_MKNOD);
    caps[0].inheritable |= BIT(CAP_KILL);
    SETUP_OK(capset_(caps) == 0, "capset");
    SETUP_OK(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0, "no_new_privs");
    struct __user_cap_data_struct before[2];
    capget_(before);
    corpus_ready_then_wait();
    CHECK(prctl(PR_CAPBSET_READ, CAP_NET_RAW) == 0 && prctl(PR_CAPBSET_READ, CAP_SYS_TIME) == 0, "a dropped bounding capability is back");
    CHECK(prctl(PR_CAPBSET_READ, CAP_SYS_ADMIN) == 1, "CAP_SYS_ADMIN left the bounding set");
    struct __user_cap_data_struct now[2];
    CHECK(capget_(now) == 0, "capget");
    CHECK(!(now[0].effective & BIT(CAP_MKNOD)) && !(now[0].permitted & BIT(CAP_MKNOD)), "CAP_MKNOD is back");
    CHECK((now[0].permitted & BIT(CAP_CHOWN)) && !(now[0].effective & BIT(CAP_CHOWN)), "CAP_CHOWN is not permitted-only");
    CHECK(now[0].inheritable & BIT(CAP_KILL), "CAP_KILL is not inheritable");
    CHECK(memcmp(now, before, sizeof now) == 0, "the sets changed: eff %#x perm %#x inh %#x, were %#x %#x %#x",
          now[0].effective, now[0].permitted, now[0].inheritable, before[0].effective, before[0].permitted, before[0].inheritable);
    CHECK(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1, "no_new_privs is gone");
    corpus_pass("capabilities: bounding, effective, permitted, inheritable sets and no_new_privs kept");
}
