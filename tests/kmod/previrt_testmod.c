// SPDX-License-Identifier: GPL-2.0
/*
 * previrt_testmod: a module with sensitive sites, for the module boot tests
 * (tests/runtime/module-tests.sh).  Built out of tree against the tiny
 * kernel with -fplugin=previrt, loaded with insmod from the initramfs.
 *
 * At load it
 *   - writes one line straight to COM1 with outb/inb (port I/O sites; on
 *     Xen only the runtime's 16550 model gets it to the console, because
 *     Xen keeps the real UART for itself),
 *   - reads CPUID leaf 0 (a cpuid site),
 *   - reads the local APIC's version register through ioremap + readl
 *     (an MMIO accessor site),
 * and prints what it saw with printk.
 */
#include <linux/init.h>
#include <linux/io.h>
#include <linux/module.h>
#include <asm/processor.h>

#define COM1     0x3f8
#define COM1_LSR (COM1 + 5)
#define LSR_THRE 0x20
#define LAPIC_BASE 0xfee00000UL
#define LAPIC_VER  0x30

static void com1_puts(const char *s)
{
	for (; *s; s++) {
		int spin = 100000;

		while (!(inb(COM1_LSR) & LSR_THRE) && --spin)
			cpu_relax();
		outb(*s, COM1);
	}
}

static int __init previrt_testmod_init(void)
{
	unsigned int eax, ebx, ecx, edx;
	void __iomem *apic;
	u32 ver = 0;

	com1_puts("previrt-testmod: hello through COM1 port I/O\r\n");
	cpuid(0, &eax, &ebx, &ecx, &edx);
	apic = ioremap(LAPIC_BASE, 0x1000);
	if (apic) {
		ver = readl(apic + LAPIC_VER);
		iounmap(apic);
	}
	pr_info("previrt-testmod: loaded: cpuid max leaf %u, local APIC version 0x%x\n", eax, ver);
	return 0;
}

static void __exit previrt_testmod_exit(void)
{
}

module_init(previrt_testmod_init);
module_exit(previrt_testmod_exit);
MODULE_DESCRIPTION("previrt test module: port I/O, cpuid and MMIO sites patched at load");
MODULE_LICENSE("GPL");
