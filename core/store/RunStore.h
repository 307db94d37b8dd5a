// Placeholder while the desktop-application work is in progress.
#pragma once
