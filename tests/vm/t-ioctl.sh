# Hostile ioctl and mmap arguments get -errno, never an oops; one consumer,
# open for writing, whose mappings a fork does not inherit.
plioctl > /tmp/ioctl.out 2>&1
rc=$?
cat /tmp/ioctl.out
pl_assert_eq "ioctl: plioctl cases" $rc 0
plread --try-second-mmap > /tmp/second.out 2>&1
cat /tmp/second.out
pl_assert_eq "ioctl: second consumer gets EBUSY" "$(kv /tmp/second.out second_mmap_errno)" 16
