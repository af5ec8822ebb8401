// OpenCL 1.2 through the ICD loader (ocl-icd); any vendor's driver, or PoCL on the CPU.
#define CL_TARGET_OPENCL_VERSION 120
#include <CL/cl.h>
