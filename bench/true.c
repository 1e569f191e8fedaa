/* The direct-exec target for bench/run.sh: exits 0 at once. Built static
 * when the toolchain allows it, so neither arm pays for the dynamic loader
 * on the target's side. */
int main(void)
{
	return 0;
}
