switch_section()
{
	note "SKIP switch: not written yet"
}
