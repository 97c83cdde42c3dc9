@echo off
rem FFN Workbench for Windows: double-click to start.
rem The first start creates .venv beside this folder and installs FFN Workbench into it
rem (this window shows the progress); later starts open the app at once with pythonw,
rem so no console window stays open.
setlocal
cd /d "%~dp0.."

if not exist ".venv\Scripts\python.exe" (
    echo Creating the virtual environment .venv ...
    where py >nul 2>nul
    if not errorlevel 1 (
        py -3 -m venv .venv
    ) else (
        python -m venv .venv
    )
    if errorlevel 1 goto no_python
)

if not exist ".venv\.installed" (
    echo Installing FFN Workbench and its dependencies; this takes a few minutes ...
    ".venv\Scripts\python.exe" -m pip install --upgrade pip
    ".venv\Scripts\python.exe" -m pip install -e .
    if errorlevel 1 goto install_failed
    echo installed> ".venv\.installed"
)

start "" ".venv\Scripts\pythonw.exe" main.py %*
exit /b 0

:no_python
echo Could not create a Python virtual environment.
echo Install Python 3.10 or newer from https://www.python.org (tick "Add python.exe to PATH")
echo and double-click this file again.
pause
exit /b 1

:install_failed
echo Installing FFN Workbench failed; the messages above say why.
echo Check the internet connection and double-click this file again.
pause
exit /b 1
